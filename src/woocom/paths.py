"""Well-known locations in the repository."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STATE_DIR = REPO_ROOT / ".woocom"
OUTPUTS_DIR = STATE_DIR / "outputs"
BUILD_DIR = STATE_DIR / "build"
BENCH_DIR = STATE_DIR / "bench"


def outputs_file(target: str) -> Path:
    """Where the stack outputs of `target` (local, staging, pr-12, ...) are written."""
    return OUTPUTS_DIR / f"{target}.json"
