"""`python -m woocom.client --out DIR` (what `nox -s client` runs)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from woocom.client import ClientError, generate, stale_files


def main(argv: Sequence[str] | None = None) -> int:
    cli = argparse.ArgumentParser(
        prog="nox -s client --",
        description="Write openapi.json, the TypeScript types generated from it (schema.d.ts) "
        "and a typed fetch wrapper (client.ts) into a folder.",
    )
    action = cli.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="folder to write the three files into")
    action.add_argument(
        "--check", type=Path, help="only say whether the client vendored in this folder is current"
    )
    args = cli.parse_args(argv)
    if args.check is not None:
        problems = stale_files(args.check)
        for problem in problems:
            print(f"stale: {problem}", file=sys.stderr)
        if problems:
            print(f"regenerate: nox -s client -- --out {args.check}", file=sys.stderr)
            return 1
        print(f"{args.check}: the client is current")
        return 0
    try:
        written = generate(args.out)
    except ClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
