"""Well-known locations in the repository, and how to show a path to a user."""

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


def display_path(path: Path, root: Path = REPO_ROOT) -> str:
    """`path` relative to `root` (the checkout) when inside it, else as given; never raises.

    For messages, and for the `zip` field of the build manifest (a contract: POSIX,
    relative to the checkout for every real build). A path outside the checkout
    (another --repo-root, a temporary folder) is given whole instead of failing
    with ValueError.
    """
    if path.is_absolute() and not root.is_absolute():
        root = root.resolve()
    for candidate in (path, path.resolve()):
        if candidate.is_relative_to(root):
            return candidate.relative_to(root).as_posix() or "."
    return str(path)
