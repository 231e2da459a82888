"""`python -m woocom dev` (`nox -s dev`): the whole platform locally, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import select
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from frontend_deploy.example import publish_to_local_stack
from woocom.config import STACK_FILE, StackError
from woocom.local.api import API_PREFIX, PortInUseError, is_loopback
from woocom.local.functions import EnvironmentConflictError
from woocom.local.ownership import remove_own_files
from woocom.local.runtime import SEED_FILE, LocalRuntime
from woocom.ops.logs import local_log_environment
from woocom.paths import REPO_ROOT, display_path, outputs_file

REMOTE_WARNING = """\
!!! WARNING: --allow-remote: the local stack listens on {host}, beyond this machine.
!!! Its tokens are signed with the emulator's PUBLIC, FIXED Cognito keys: anyone who can
!!! reach this port can mint an admin token and change the catalog and orders.
!!! Use it only on a network you trust, and stop it when done."""


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=VALUE")
    return key, value


def add_set_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`--set NAME=VALUE` (repeatable), shared by `dev` and `invoke`: args.overrides."""
    parser.add_argument(
        "--set",
        dest="overrides",
        metavar="NAME=VALUE",
        type=key_value,
        action="append",
        default=[],
        help=help_text,
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="woocom dev",
        description="Run the platform locally: emulator, resources, API, events, schedules.",
    )
    p.add_argument("--port", type=int, default=8000, help="API port (default 8000; 0 = any free)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; another needs --allow-remote)",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help=(
            "let --host be a non-loopback address. Anyone who reaches it can mint admin "
            "tokens: the emulator's Cognito keys are public"
        ),
    )
    p.add_argument("--stack", type=Path, default=STACK_FILE, help="the stack file (stack.yaml)")
    p.add_argument("--no-seed", action="store_true", help="start with an empty catalog")
    add_set_option(p, "override a function environment variable, e.g. ORDER_MAX_AGE_MINUTES=0")
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
        "--no-iam",
        action="store_true",
        help="do not check functions' AWS calls against their stack.yaml permissions (debugging)",
    )
    p.add_argument(
        "--outputs",
        type=Path,
        default=outputs_file("local"),
        help="where to write the stack outputs (default .woocom/outputs/local.json)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    p.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop, as on SIGTERM, when the process that started this one is gone "
        "(`nox -s dev` sets it: nox dies on SIGTERM without passing it on)",
    )
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


# Four products and one rejected row (functions/README.md shows its report).
SAMPLE_IMPORT = REPO_ROOT / "examples" / "products.csv"


# The banner's PUT example: a whole product, so the line runs as printed.
DEMO_PRODUCT = (
    '{"name": "Demo", "category": "demo", "price": "9.90", "currency": "EUR", "stock": 5}'
)


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
        f"{outputs})\" -d '{DEMO_PRODUCT}'",
    ]
    if out.get("imports_bucket"):
        lines.append(
            f"  . {_relative(runtime.env_file)} && aws s3 cp {_relative(SAMPLE_IMPORT)} "
            f"s3://{out['imports_bucket']}/imports/products.csv"
        )
    if runtime.enforce_iam:
        lines += ["", "IAM: each function's AWS calls are limited to its stack.yaml permissions."]
    else:
        lines += [
            "",
            "!! IAM CHECKS OFF (--no-iam): functions may make AWS calls their deployed role",
            "!! would be denied. Works here does NOT mean works in staging.",
        ]
    lines += ["", "Code changes reload on the next request. Ctrl-C stops everything."]
    return "\n".join(lines)


def _relative(path: Path) -> str:
    return display_path(path)


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    configure_logging(args.quiet)
    runtime = LocalRuntime(
        host=args.host,
        port=args.port,
        stack_file=args.stack,
        seed_file=None if args.no_seed else SEED_FILE,
        # The functions' JSON lines also go to .woocom/logs/local.jsonl, for `nox -s logs`.
        overrides={**local_log_environment(), **dict(args.overrides)},
        schedules=dict(args.schedule),
        reload=not args.no_reload,
        outputs_path=args.outputs,
        enforce_iam=not args.no_iam,
        allow_remote=args.allow_remote,
    )
    if args.allow_remote and not is_loopback(args.host):
        print(REMOTE_WARNING.format(host=args.host), file=sys.stderr, flush=True)
    # The handler runs in the main thread between two of its bytecodes, so it must not take
    # a lock the main thread may hold: `threading.Event.set()` there deadlocks when the signal
    # lands inside `Event.wait()` (on the Event's own lock), and then no signal but SIGKILL
    # ends the process. It writes a byte to a socket the main thread waits on instead.
    # The kernel may also hand the signal to another thread: Python only flags it then, and
    # the main thread's blocking call carries on. The wakeup fd, written by the C-level
    # handler in whichever thread, wakes it (and the select timeout in any case).
    parent = os.getppid()
    wake_reader, wake_writer = socket.socketpair()
    wake_writer.setblocking(False)
    wake_reader.setblocking(False)
    requested: list[int] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001
        if requested:  # the second Ctrl-C or SIGTERM: out now, whatever is still stopping
            force_exit(runtime, signum)
        requested.append(signum)
        with contextlib.suppress(OSError):
            wake_writer.send(b"\0")

    # A signal during startup is honoured as soon as the stack is up (start() cleans up on error).
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous_wakeup_fd = signal.set_wakeup_fd(wake_writer.fileno(), warn_on_full_buffer=False)
    try:
        try:
            runtime.start()
        except (StackError, PortInUseError, EnvironmentConflictError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            print(banner(runtime), flush=True)
            publish_to_local_stack(runtime.outputs_path)  # the reference storefront, at /
            # At once if the signal came during startup: its byte is already there.
            while not requested:
                select.select([wake_reader], [], [], 1.0)
                if args.stop_with_parent and os.getppid() != parent:
                    print(f"parent process {parent} is gone", file=sys.stderr, flush=True)
                    requested.append(signal.SIGTERM)  # as if it had passed its SIGTERM on
            print("stopping... (Ctrl-C again to exit at once)", file=sys.stderr, flush=True)
        finally:
            runtime.stop()
    finally:
        signal.set_wakeup_fd(previous_wakeup_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        wake_reader.close()
        wake_writer.close()
    return 0


def force_exit(runtime: LocalRuntime, signum: int) -> None:
    """Leave without waiting for any thread; only our own outputs files are removed first.

    Called from a signal handler: no lock, no logging, no buffered stream.
    """
    remove_own_files(runtime.outputs_path, runtime.env_file)
    with contextlib.suppress(OSError):
        os.write(2, b"second signal: exiting without waiting for the threads to stop\n")
    os._exit(128 + signum)
