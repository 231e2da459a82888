"""`woocom bench`: run every benchmark in benchmarks/, print and save the figures.

A benchmark is a module `benchmarks/bench_<area>.py` exposing
`run() -> dict[str, object]`; the dict may hold a "summary" list of lines to print.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from woocom.paths import BENCH_DIR, REPO_ROOT

BENCH_SOURCES = REPO_ROOT / "benchmarks"


def discover(only: Sequence[str]) -> list[Path]:
    found = sorted(BENCH_SOURCES.glob("bench_*.py"))
    if only:
        found = [p for p in found if p.stem.removeprefix("bench_") in only]
    return found


def run_one(path: Path) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load benchmark {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.perf_counter()
    result: dict[str, Any] = module.run()
    result["wall_seconds"] = round(time.perf_counter() - started, 2)
    return result


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="woocom bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="areas to run (default: all), e.g. imports")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results.json")
    args = parser.parse_args(argv)
    paths = discover(args.only)
    if not paths:
        print(f"no benchmarks match {args.only}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "benchmarks": {},
    }
    failed = False
    for path in paths:
        area = path.stem.removeprefix("bench_")
        print(f"== {area}", flush=True)
        try:
            result = run_one(path)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed = True
            result = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"  FAILED: {result['error']}")
        for line in result.get("summary", []):
            print(f"  {line}")
        results["benchmarks"][area] = result
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nresults written to {args.output}")
    return 1 if failed else 0
