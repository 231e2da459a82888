"""`woocom bench`: run every benchmark in benchmarks/, print and save the figures.

A benchmark is a module `benchmarks/bench_<area>.py` exposing
`run() -> dict[str, object]`; the dict may hold a "summary" list of lines to print.

Results accumulate in `benchmarks/results.json`, committed: running some areas
replaces their entries and keeps the others, each stamped with when and where it ran,
on any clone. The README's figures table (between `<!-- bench:figures -->` markers)
is then rewritten from that file, so every figure the README states comes from one
run of one benchmark, never from a hand copy (a test holds the two in step).
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

from woocom.paths import REPO_ROOT, display_path

BENCH_SOURCES = REPO_ROOT / "benchmarks"
RESULTS = BENCH_SOURCES / "results.json"
README = REPO_ROOT / "README.md"
# READMEs with `<!-- bench:<area> -->` blocks of one area's detailed table.
DETAIL_READMES = (REPO_ROOT / "functions" / "README.md",)
FIGURES_START = "<!-- bench:figures -->"
FIGURES_END = "<!-- /bench:figures -->"


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


def load_results(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"benchmarks": {}}
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    loaded.setdefault("benchmarks", {})
    return loaded


def figures_table(results: dict[str, Any]) -> str:
    """The README's table: every area's summary lines, with when and where they ran."""
    rows = [
        "| area | figures (`nox -s bench`, from `benchmarks/results.json`) | run |",
        "|---|---|---|",
    ]
    for area, result in sorted(results["benchmarks"].items()):
        lines = result.get("summary") or [f"FAILED: {result.get('error', 'no figures')}"]
        cell = "<br>".join(str(line).replace("|", "\\|") for line in lines)
        ran = f"{str(result.get('when', '?'))[:10]}, Python {result.get('python', '?')}"
        rows.append(f"| {area} | {cell} | {ran} |")
    return "\n".join(rows)


def _replace_between(text: str, start: str, end: str, body: str) -> str | None:
    before, found, rest = text.partition(start)
    _, found_end, after = rest.partition(end)
    if not (found and found_end):
        return None
    return f"{before}{start}\n{body}\n{end}{after}"


def update_readme(readme: Path, results: dict[str, Any]) -> bool:
    """Rewrite the generated blocks of `readme`; False when it has none.

    `<!-- bench:figures -->` gets the table of every area; `<!-- bench:<area> -->`
    gets that area's own `table` (markdown its benchmark returned), so a detailed
    table elsewhere (functions/README.md's cold start) is generated too.
    """
    text = readme.read_text(encoding="utf-8")
    changed = _replace_between(text, FIGURES_START, FIGURES_END, figures_table(results))
    text = changed if changed is not None else text
    for area, result in results["benchmarks"].items():
        table = result.get("table")
        if table:
            block = _replace_between(
                text, f"<!-- bench:{area} -->", f"<!-- /bench:{area} -->", str(table)
            )
            if block is not None:
                text, changed = block, block
    if changed is None:
        return False
    readme.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="woocom bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="areas to run (default: all), e.g. imports")
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS,
        help="results file, read first and rewritten (default: benchmarks/results.json)",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        default=README,
        help="README whose figures table is rewritten from the results (default: README.md)",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="leave the README alone (figures only printed)"
    )
    args = parser.parse_args(argv)
    paths = discover(args.only)
    if not paths:
        print(f"no benchmarks match {args.only}", file=sys.stderr)
        return 2
    results = load_results(args.output)
    machine = {"python": platform.python_version(), "platform": platform.platform()}
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
        stamp = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **machine}
        results["benchmarks"][area] = {**stamp, **result}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nresults written to {args.output}")
    if not args.no_readme:
        for readme in (args.readme, *DETAIL_READMES):
            if readme.is_file() and update_readme(readme, results):
                print(f"generated figures of {display_path(readme)} rewritten from them")
    return 1 if failed else 0
