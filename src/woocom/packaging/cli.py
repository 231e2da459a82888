"""`woocom package`: the command line."""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

from woocom.config import (
    STACK_FILE,
    StackError,
    load_stack,
)
from woocom.packaging.base import (
    PackagingError,
)
from woocom.packaging.build import Packager
from woocom.packaging.zips import COMPRESS_LEVEL
from woocom.paths import REPO_ROOT


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="woocom package",
        description="Build one reproducible, content-addressed zip per function of stack.yaml.",
    )
    parser.add_argument(
        "--repo-root", type=Path, default=REPO_ROOT, help="checkout to package (default: this one)"
    )
    parser.add_argument(
        "--build-dir", type=Path, help="where zips and the manifest go (default: .woocom/build)"
    )
    parser.add_argument(
        "--skip-import-check",
        action="store_true",
        help="do not import handlers from the new zips (faster; CI never uses this)",
    )
    parser.add_argument(
        "--bytecode",
        choices=["auto", "always", "never"],
        default="auto",
        help="ship .pyc compiled by the target Python: auto = when that Python is here "
        "(default), always = fail without it (CI deploys), never = sources only",
    )
    args = parser.parse_args(argv)
    root = args.repo_root.resolve()
    try:
        stack = load_stack(root / STACK_FILE.name)
    except StackError as exc:
        print(exc, file=sys.stderr)
        return 2
    packager = Packager(
        root, args.build_dir, import_check=not args.skip_import_check, bytecode=args.bytecode
    )
    print(
        f"packaging {len(stack.functions)} function(s) into {packager.build_dir} "
        f"(zlib {zlib.ZLIB_RUNTIME_VERSION}, deflate level {COMPRESS_LEVEL})"
    )
    try:
        packager.build(stack)
    except PackagingError as exc:
        print(f"packaging failed: {exc}", file=sys.stderr)
        return 1
    return 0
