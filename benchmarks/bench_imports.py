"""Cold import time of each handler module next to `import boto3` alone, in the same run.

Each figure is the median of 5 fresh interpreters run with `python -X importtime`,
counting what the statement imports (the interpreter's own start-up excluded).
One unmeasured run first writes the bytecode caches, as site-packages has them.
Target: each handler at most 1.3x `import boto3`, the floor of any function that
talks to AWS. `import boto3, pydantic.main` (BaseModel and its machinery) is
measured too: the floor of any function whose edges are pydantic models, so the
share of our own code is visible.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FUNCTIONS = REPO / "functions"
HANDLERS = ("catalog_api", "orders_api", "order_worker", "catalog_import", "expire_orders")
RUNS = 5
TARGET_RATIO = 1.3


def _importtime(statement: str) -> list[tuple[int, str]]:
    """(cumulative microseconds, name) of each top-level import `statement` caused."""
    env = {**os.environ, "PYTHONPATH": str(FUNCTIONS)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    entries = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:") or "cumulative" in line:
            continue
        name = parts[2][1:]
        if not name.startswith(" "):  # nested imports are indented under their importer
            entries.append((int(parts[1]), name))
    return entries


def import_microseconds(statement: str, startup: frozenset[str]) -> int:
    return sum(us for us, name in _importtime(statement) if name not in startup)


def run() -> dict[str, object]:
    startup = frozenset(name for _, name in _importtime("pass"))
    statements = {"boto3": "import boto3", "boto3+pydantic": "import boto3, pydantic.main"} | {
        h: f"import {h}.handler" for h in HANDLERS
    }
    for statement in statements.values():  # warm-up: write the bytecode caches
        import_microseconds(statement, startup)
    # Rounds interleave the statements, so a load change on the machine hits all alike.
    samples: dict[str, list[int]] = {name: [] for name in statements}
    for round_number in range(1, RUNS + 1):
        print(f"  round {round_number}/{RUNS}", flush=True)
        for name, statement in statements.items():
            samples[name].append(import_microseconds(statement, startup))
    median_ms = {name: round(statistics.median(us) / 1000, 1) for name, us in samples.items()}
    boto3_ms = median_ms["boto3"]
    handlers = {
        name: {"ms": median_ms[name], "ratio_to_boto3": round(median_ms[name] / boto3_ms, 2)}
        for name in HANDLERS
    }
    worst = max(figures["ratio_to_boto3"] for figures in handlers.values())
    floor_ms = median_ms["boto3+pydantic"]
    summary = [
        f"import boto3: {boto3_ms} ms (median of {RUNS})",
        f"import boto3, pydantic.main: {floor_ms} ms = {round(floor_ms / boto3_ms, 2)}x boto3",
    ]
    summary += [
        f"import {name}.handler: {f['ms']} ms = {f['ratio_to_boto3']}x boto3"
        for name, f in handlers.items()
    ]
    verdict = "meets" if worst <= TARGET_RATIO else "MISSES"
    summary.append(f"worst ratio {worst}x: {verdict} the {TARGET_RATIO}x target")
    return {
        "runs": RUNS,
        "boto3_ms": boto3_ms,
        "boto3_pydantic_ms": floor_ms,
        "handlers": handlers,
        "worst_ratio": worst,
        "target_ratio": TARGET_RATIO,
        "meets_target": worst <= TARGET_RATIO,
        "summary": summary,
    }
