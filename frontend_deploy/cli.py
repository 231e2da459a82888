"""`python -m frontend_deploy <env> [--build-dir PATH]`: the command line of the publisher."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

from frontend_deploy.build import run_build
from frontend_deploy.errors import PublishError
from frontend_deploy.example import build_example
from frontend_deploy.publish import Options, Publisher, Target
from frontend_deploy.rules import load_rules
from woocom.deploy.environments import UnknownEnvironmentError, resolve

LOCAL_TARGETS = ("local", "localstack")


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m frontend_deploy",
        description="Publish a built frontend (index.html + hashed assets) to the site "
        "bucket of an environment and invalidate CloudFront.",
    )
    cli.add_argument("environment", help="local, staging, production, pr-123, dev-alice, ...")
    cli.add_argument(
        "--build-dir",
        type=Path,
        help="the build output, e.g. dist (default: build and publish examples/storefront-web)",
    )
    cli.add_argument(
        "--build-cmd",
        help='run this first (in the current directory, ENV=<environment>), e.g. "npm run build"',
    )
    cli.add_argument(
        "--workdir",
        type=Path,
        default=Path.cwd(),
        help="the directory relative paths and --build-cmd are taken from (default: the current "
        "one; `nox -s frontend` passes the one nox was run from, since nox moves to the repo root)",
    )
    cli.add_argument(
        "--config", type=Path, help="publishing rules (default: frontend.toml if present)"
    )
    cli.add_argument(
        "--outputs",
        type=Path,
        help="stack outputs file (default: .woocom/outputs/<environment>.json)",
    )
    cli.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    cli.add_argument("--wait", action="store_true", help="wait for the CloudFront invalidation")
    cli.add_argument(
        "--force-delete", action="store_true", help="delete every stale file due, ignoring the cap"
    )
    cli.add_argument("--workers", type=_positive, help="parallel uploads (default: from the rules)")
    return cli


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def check_target(name: str) -> None:
    """A local target or a deploy target's name; a typo gets the name it resembles."""
    if name in LOCAL_TARGETS:
        return
    try:
        resolve(name)
    except UnknownEnvironmentError as exc:
        close = difflib.get_close_matches(name.lower(), LOCAL_TARGETS, n=1, cutoff=0.7)
        if close:
            raise PublishError(f"{name!r} is not a target: did you mean {close[0]!r}?") from None
        raise PublishError(f"{exc}; or local / localstack (`nox -s dev`)") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    workdir: Path = args.workdir
    try:
        check_target(args.environment)
        rules, sources = load_rules(_within(workdir, args.config))
        print(f"rules: {', '.join(str(source) for source in sources)}")
        target = Target.from_outputs(args.environment, _within(workdir, args.outputs))
        if args.build_dir is None:
            if args.build_cmd:
                raise PublishError("--build-cmd needs --build-dir: where does its output go?")
            build_dir = build_example()
        else:
            build_dir = workdir / args.build_dir
            if args.build_cmd:
                run_build(args.build_cmd, args.environment, cwd=workdir)
        publisher = Publisher(target, rules)
        outcome = publisher.publish(
            build_dir,
            Options(
                dry_run=args.dry_run,
                wait=args.wait,
                force_delete=args.force_delete,
                workers=args.workers,
            ),
        )
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for line in outcome.summary():
        print(line)
    return 0


def _within(workdir: Path, path: Path | None) -> Path | None:
    return None if path is None else workdir / path
