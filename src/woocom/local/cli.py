"""`python -m woocom dev` (`nox -s dev`): the whole platform locally, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from woocom.config import STACK_FILE, StackError
from woocom.local.api import API_PREFIX, PortInUseError
from woocom.local.functions import EnvironmentConflictError
from woocom.local.runtime import SEED_FILE, LocalRuntime
from woocom.paths import REPO_ROOT, outputs_file


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=VALUE")
    return key, value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="woocom dev",
        description="Run the platform locally: emulator, resources, API, events, schedules.",
    )
    p.add_argument("--port", type=int, default=8000, help="API port (default 8000; 0 = any free)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--stack", type=Path, default=STACK_FILE, help="the stack file (stack.yaml)")
    p.add_argument("--no-seed", action="store_true", help="start with an empty catalog")
    p.add_argument(
        "--set",
        dest="overrides",
        metavar="NAME=VALUE",
        type=key_value,
        action="append",
        default=[],
        help="override a function environment variable, e.g. ORDER_MAX_AGE_MINUTES=0",
    )
    p.add_argument(
        "--schedule",
        metavar="FUNCTION=EXPRESSION",
        type=key_value,
        action="append",
        default=[],
        help="run a function on another schedule locally, e.g. 'expire_orders=rate(10 seconds)'",
    )
    p.add_argument("--no-reload", action="store_true", help="do not reload code on changes")
    p.add_argument(
        "--outputs",
        type=Path,
        default=outputs_file("local"),
        help="where to write the stack outputs (default .woocom/outputs/local.json)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    return p


def configure_logging(quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname).1s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    # Boto's and moto's own chatter would drown the function logs.
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "watchfiles"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def banner(runtime: LocalRuntime) -> str:
    out = runtime.outputs
    api, aws = out["api_url"], out["aws_endpoint_url"]
    outputs = _relative(runtime.outputs_path)
    lines = [
        f"WooCom local stack ready in {runtime.started_in:.1f} s",
        f"  site      {out['site_url']}  (the published frontend; a route list until then)",
        f"  API       {api}  (also under {api}{API_PREFIX}/)",
        f"  AWS       {aws}  (moto: `. {_relative(runtime.env_file)}` points aws/boto3 at it)",
        f"  outputs   {outputs}  (names, URLs, admin_token and user_token)",
        "",
        f"  curl {api}/products",
        f'  curl -X PUT {api}/products/DEMO-1 -H "Authorization: Bearer $(jq -r .admin_token '
        f'{outputs})" -d \'{{"name": "Demo", ...}}\'',
    ]
    if out.get("imports_bucket"):
        lines.append(
            f"  . {_relative(runtime.env_file)} && aws s3 cp products.csv "
            f"s3://{out['imports_bucket']}/imports/products.csv"
        )
    lines += ["", "Code changes reload on the next request. Ctrl-C stops everything."]
    return "\n".join(lines)


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    configure_logging(args.quiet)
    runtime = LocalRuntime(
        host=args.host,
        port=args.port,
        stack_file=args.stack,
        seed_file=None if args.no_seed else SEED_FILE,
        overrides=dict(args.overrides),
        schedules=dict(args.schedule),
        reload=not args.no_reload,
        outputs_path=args.outputs,
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
        stop.set()

    # A signal during startup is honoured as soon as the stack is up (start() cleans up on error).
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            runtime.start()
        except (StackError, PortInUseError, EnvironmentConflictError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            print(banner(runtime), flush=True)
            stop.wait()
            print("stopping...", file=sys.stderr, flush=True)
        finally:
            runtime.stop()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
