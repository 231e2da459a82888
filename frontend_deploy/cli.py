"""`python -m frontend_deploy <env> --build-dir PATH`: the command line of the publisher."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from frontend_deploy.build import run_build
from frontend_deploy.errors import PublishError
from frontend_deploy.publish import Options, Publisher, Target
from frontend_deploy.rules import load_rules


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="python -m frontend_deploy",
        description="Publish a built frontend (index.html + hashed assets) to the site "
        "bucket of an environment and invalidate CloudFront.",
    )
    cli.add_argument("environment", help="local, staging, production, pr-123, dev-alice, ...")
    cli.add_argument("--build-dir", type=Path, required=True, help="the build output, e.g. dist")
    cli.add_argument(
        "--build-cmd",
        help='run this first (in the current directory, ENV=<environment>), e.g. "npm run build"',
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


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        rules, sources = load_rules(args.config)
        print(f"rules: {', '.join(str(source) for source in sources)}")
        target = Target.from_outputs(args.environment, args.outputs)
        if args.build_cmd:
            run_build(args.build_cmd, args.environment)
        publisher = Publisher(target, rules)
        outcome = publisher.publish(
            args.build_dir,
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
