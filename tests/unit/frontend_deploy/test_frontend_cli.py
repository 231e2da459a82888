"""`python -m frontend_deploy`: outputs file in, exit code and messages out."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from site_helpers import BUCKET, VITE_BUILD, stored

from frontend_deploy.cli import main


def write_outputs(path: Path, **outputs: Any) -> Path:
    path.write_text(json.dumps({"target": "staging", "region": "us-east-1", **outputs}))
    return path


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    return write_outputs(tmp_path / "staging.json", site_bucket=BUCKET, distribution_id=None)


def test_publish_prints_a_summary(
    s3: Any, build: Path, outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["staging", "--build-dir", str(build), "--outputs", str(outputs)])

    printed = capsys.readouterr()
    assert code == 0
    assert stored(s3) == VITE_BUILD
    assert f"uploaded {len(VITE_BUILD)} file(s)" in printed.out
    assert "release 1" in printed.out
    assert "uploading [" in printed.err  # the progress bar


def test_dry_run_prints_the_plan_and_changes_nothing(
    s3: Any, build: Path, outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["staging", "--build-dir", str(build), "--outputs", str(outputs), "--dry-run"])

    printed = capsys.readouterr().out
    assert code == 0
    assert "  upload      assets/index-B3x_k9Qa.js" in printed
    assert "no CloudFront to invalidate" in printed
    assert "  invalidate" not in printed
    assert stored(s3) == {}


def test_build_command_runs_first_with_env(
    s3: Any, tmp_path: Path, outputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    script = (
        "import os, pathlib; d = pathlib.Path('dist'); d.mkdir(); "
        "(d / 'index.html').write_text('built for ' + os.environ['ENV'])"
    )
    command = shlex.join([sys.executable, "-c", script])

    code = main(
        ["staging", "--build-dir", "dist", "--build-cmd", command, "--outputs", str(outputs)]
    )

    assert code == 0
    assert stored(s3) == {"index.html": b"built for staging"}


def test_failing_build_publishes_nothing(
    s3: Any, build: Path, outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = shlex.join([sys.executable, "-c", "raise SystemExit(3)"])

    code = main(
        ["staging", "--build-dir", str(build), "--build-cmd", command, "--outputs", str(outputs)]
    )

    assert code == 1
    assert "error: build command failed with exit code 3" in capsys.readouterr().err
    assert stored(s3) == {}


def test_missing_outputs_say_how_to_get_them(
    tmp_path: Path, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["staging", "--build-dir", str(build), "--outputs", str(tmp_path / "none.json")])

    assert code == 1
    assert "deploy it with `nox -s deploy -- staging`" in capsys.readouterr().err


def test_outputs_without_a_site_bucket(
    tmp_path: Path, build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = write_outputs(tmp_path / "staging.json", api_url="https://api")

    assert main(["staging", "--build-dir", str(build), "--outputs", str(outputs)]) == 1
    assert "name no site_bucket" in capsys.readouterr().err


def test_workers_must_be_positive(build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["staging", "--build-dir", str(build), "--workers", "0"])

    assert exited.value.code == 2
    assert "0 is not a positive number" in capsys.readouterr().err


def test_module_entry_point() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "frontend_deploy", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == 0
    assert "--build-dir" in completed.stdout


# --- the local target: an emulator endpoint from the outputs, dummy credentials -------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_local_target_publishes_to_the_emulator_without_real_credentials(
    moto_server: str, build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever credentials the developer has must not matter (nor leak) locally.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    emulator = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    emulator.create_bucket(Bucket="woocom-local-site")
    outputs = tmp_path / "local.json"
    outputs.write_text(
        json.dumps(
            {
                "target": "local",
                "site_bucket": "woocom-local-site",
                "aws_endpoint_url": moto_server,
                "distribution_id": None,
            }
        )
    )

    assert main(["local", "--build-dir", str(build), "--outputs", str(outputs)]) == 0

    index = emulator.get_object(Bucket="woocom-local-site", Key="index.html")
    assert index["Body"].read() == VITE_BUILD["index.html"]
    assert index["ContentType"] == "text/html; charset=utf-8"


def test_unreachable_emulator_says_to_start_the_stack(
    build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "local.json"
    outputs.write_text(
        json.dumps({"site_bucket": "site", "aws_endpoint_url": f"http://127.0.0.1:{free_port()}"})
    )

    assert main(["local", "--build-dir", str(build), "--outputs", str(outputs)]) == 1
    assert "is the local stack running? (`nox -s dev`)" in capsys.readouterr().err
