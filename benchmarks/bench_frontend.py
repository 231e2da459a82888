"""Frontend publishing: `python -m frontend_deploy` next to `aws s3 sync`, same tree, same server.

A generated Vite-like build of 2,000 files (a few MB) is published twice by each
tool to its own bucket on one moto server: a first publish, then a re-publish of
the unchanged build from a fresh copy of the folder (new modification times, as
in a fresh CI checkout). Both tools run as the command a user types, in their own
process, so each pays its own start-up and neither shares the server's GIL.

Targets (issue 7): the unchanged re-publish uploads 0 files and is at least 5x
faster than `aws s3 sync`; the first publish is at least as fast.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from woocom.paths import REPO_ROOT

FILES = 2000
REPUBLISH_ROUNDS = 3
SEED = 7
EXTENSIONS = (".js", ".css", ".svg", ".png", ".woff2", ".js.map")


def generate_build(root: Path, files: int = FILES) -> int:
    """A build like `vite build` emits: hashed assets, a few public files, index.html."""
    rng = random.Random(SEED)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
    public = {
        "index.html": b"<!doctype html><div id=root></div><script src=/assets/index.js></script>",
        "robots.txt": b"User-agent: *\n",
        "favicon.ico": bytes(rng.randrange(256) for _ in range(1150)),
        "manifest.webmanifest": b'{"name": "WooCom"}',
    }
    total = 0
    for key, content in public.items():
        total += _write(root / key, content)
    for i in range(files - len(public)):
        digest = "".join(rng.choice(alphabet) for _ in range(8))
        extension = EXTENSIONS[i % len(EXTENSIONS)]
        size = rng.randrange(300, 3200)
        total += _write(root / "assets" / f"chunk{i}-{digest}{extension}", rng.randbytes(size))
    return total


def _write(path: Path, content: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return len(content)


def fresh_copy(source: Path, destination: Path) -> None:
    """A copy with new modification times, like a fresh checkout (copytree keeps them)."""
    shutil.copytree(source, destination, copy_function=shutil.copyfile)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    completed = subprocess.run(
        argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed: {completed.stderr[-2000:]}")
    return seconds, completed.stdout


def run() -> dict[str, object]:
    aws_cli = Path(sys.executable).with_name("aws")
    if not aws_cli.exists():
        raise RuntimeError(f"awscli is not installed next to {sys.executable} (requirements/dev)")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    # The server's per-request access log would bury the figures.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-frontend-") as scratch:
            return _compare(Path(scratch), endpoint, aws_cli)
    finally:
        server.stop()


def _compare(scratch: Path, endpoint: str, aws_cli: Path) -> dict[str, object]:
    build = scratch / "dist"
    total_bytes = generate_build(build)
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for bucket in ("bench-publisher", "bench-awscli"):
        s3.create_bucket(Bucket=bucket)
    outputs = scratch / "outputs.json"
    outputs.write_text(
        json.dumps(
            {"target": "local", "site_bucket": "bench-publisher", "aws_endpoint_url": endpoint}
        )
    )
    # Both tools may cache their bytecode, as on any developer machine or CI runner
    # (some shells export PYTHONDONTWRITEBYTECODE, which recompiles boto on every start).
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {
        **inherited,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(scratch / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(scratch / "no-aws-credentials"),
    }

    def publisher(tree: Path) -> tuple[float, int]:
        argv = [sys.executable, "-m", "frontend_deploy", "local", "--build-dir", str(tree)]
        seconds, out = _timed([*argv, "--outputs", str(outputs)], env)
        match = re.search(r"^uploaded (\d+) file", out, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"no summary in the publisher's output:\n{out}")
        return seconds, int(match[1])

    def aws_sync(tree: Path) -> tuple[float, int]:
        argv = [str(aws_cli), "s3", "sync", str(tree), "s3://bench-awscli", "--no-progress"]
        seconds, out = _timed([*argv, "--endpoint-url", endpoint], env)
        return seconds, sum(line.startswith("upload:") for line in out.splitlines())

    first_ours, first_ours_files = publisher(build)
    first_aws, first_aws_files = aws_sync(build)
    # The re-publish is short, so the shared machine's noise weighs on it: take the
    # median of a few rounds, each from a new fresh copy made after the last upload
    # (as a later CI checkout would be), which `aws s3 sync` then uploads again.
    ours_rounds: list[tuple[float, int]] = []
    aws_rounds: list[tuple[float, int]] = []
    for round_number in range(REPUBLISH_ROUNDS):
        checkout = scratch / f"fresh-checkout-{round_number}"
        fresh_copy(build, checkout)
        ours_rounds.append(publisher(checkout))
        aws_rounds.append(aws_sync(checkout))
    again_ours = statistics.median(seconds for seconds, _ in ours_rounds)
    again_aws = statistics.median(seconds for seconds, _ in aws_rounds)
    again_ours_files = max(uploaded for _, uploaded in ours_rounds)
    again_aws_files = min(uploaded for _, uploaded in aws_rounds)

    republish_speedup = again_aws / again_ours
    first_speedup = first_aws / first_ours
    targets = {
        "republish_uploads_nothing": again_ours_files == 0,
        "republish_5x_faster": republish_speedup >= 5,
        "first_publish_at_least_as_fast": first_speedup >= 1,
    }
    return {
        "files": FILES,
        "bytes": total_bytes,
        "first_publish": {
            "frontend_deploy": {"seconds": round(first_ours, 2), "uploaded": first_ours_files},
            "aws_s3_sync": {"seconds": round(first_aws, 2), "uploaded": first_aws_files},
            "speedup": round(first_speedup, 2),
        },
        "unchanged_republish_fresh_copy": {
            "frontend_deploy": {"seconds": round(again_ours, 2), "uploaded": again_ours_files},
            "aws_s3_sync": {"seconds": round(again_aws, 2), "uploaded": again_aws_files},
            "speedup": round(republish_speedup, 2),
            "rounds": {
                "frontend_deploy_seconds": [round(seconds, 2) for seconds, _ in ours_rounds],
                "aws_s3_sync_seconds": [round(seconds, 2) for seconds, _ in aws_rounds],
            },
        },
        "targets_met": targets,
        "summary": [
            f"{FILES} files, {total_bytes / 1024**2:.1f} MB; one moto server; each tool as a CLI",
            f"first publish:         frontend_deploy {first_ours:6.2f} s "
            f"({first_ours_files} uploaded) | aws s3 sync {first_aws:6.2f} s "
            f"({first_aws_files} uploaded) | {first_speedup:.1f}x (target >= 1x)",
            f"unchanged re-publish, median of {REPUBLISH_ROUNDS} fresh copies: "
            f"frontend_deploy {again_ours:6.2f} s "
            f"({again_ours_files} uploaded) | aws s3 sync {again_aws:6.2f} s "
            f"({again_aws_files} uploaded) | {republish_speedup:.1f}x (target >= 5x, 0 uploads)",
            "targets: "
            + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in targets.items()),
        ],
    }
