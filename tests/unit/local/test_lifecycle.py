"""Starting and stopping: clear errors before anything runs, nothing left behind after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from storefront.models import ProductBody
from woocom.config import StackError
from woocom.local import cli
from woocom.local.api import PortInUseError
from woocom.local.client import wait_for
from woocom.local.functions import EnvironmentConflictError
from woocom.local.runtime import LocalRuntime
from woocom.paths import REPO_ROOT

from .conftest import STACK

RUNTIME_THREADS = ("moto-server", "api-server", "poll-", "scheduler", "reload", "refresh-tokens")


def runtime_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(RUNTIME_THREADS)]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_taken_port_fails_first_with_a_clear_message(mini_project: Path, taken_port: int) -> None:
    with pytest.raises(PortInUseError, match=rf"127.0.0.1:{taken_port}.*--port"):
        LocalRuntime(port=taken_port, stack_file=mini_project, seed_file=None).start()
    assert runtime_threads() == []


def test_invalid_stack_is_refused_before_anything_starts(tmp_path: Path) -> None:
    bad = tmp_path / "stack.yaml"
    bad.write_text(STACK.replace("batch_size: 5", "batch_sise: 5"))
    (tmp_path / "functions").mkdir()
    with pytest.raises(StackError, match=r"batch_sise.*unknown key"):
        LocalRuntime(port=0, stack_file=bad).start()
    assert runtime_threads() == []


@pytest.mark.slow  # a whole stack up to the conflict
def test_conflicting_environments_are_refused(mini_project: Path, tmp_path: Path) -> None:
    conflicting = tmp_path / "stack.yaml"
    conflicting.write_text(
        STACK.replace("  tick:\n", "  tick:\n    environment:\n      GREETING: bye\n")
    )
    (tmp_path / "functions").symlink_to(mini_project.parent / "functions")
    with pytest.raises(
        EnvironmentConflictError, match="GREETING: web sets 'hello', tick sets 'bye'"
    ):
        LocalRuntime(port=0, stack_file=conflicting, seed_file=None, reload=False).start()
    assert runtime_threads() == []
    assert "TABLE_MAIN_NAME" not in os.environ


def test_unknown_schedule_override_is_refused(mini_project: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown function.*nope"):
        LocalRuntime(port=0, stack_file=mini_project, schedules={"nope": "rate(1 minute)"}).start()


@pytest.mark.slow  # a whole stack, or `woocom dev` in a subprocess
def test_stop_leaves_no_thread_socket_file_or_variable(mini_project: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "local.json"
    before = dict(os.environ)
    runtime = LocalRuntime(port=0, stack_file=mini_project, seed_file=None, outputs_path=outputs)
    with runtime:
        assert outputs.exists()
        assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in runtime.env_file.read_text()
        assert os.environ["WOOCOM_ENV"] == "local"
        api_port = runtime.outputs["api_url"].rsplit(":", 1)[1]
        assert runtime_threads()
    assert runtime_threads() == []
    assert not outputs.exists()
    assert not runtime.env_file.exists()
    assert dict(os.environ) == before
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(api_port))) != 0
    runtime.stop()  # a second stop is harmless


def test_cli_reports_errors_and_exits_1(
    mini_project: Path, taken_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--stack", str(mini_project), "--port", str(taken_port)]) == 1
    assert "pick another port with --port" in capsys.readouterr().err
    assert cli.main(["--stack", str(mini_project.parent / "absent.yaml")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_cli_rejects_malformed_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--set", "NO_EQUALS_SIGN"])
    assert "must look like NAME=VALUE" in capsys.readouterr().err


@pytest.mark.slow  # a whole stack, or `woocom dev` in a subprocess
def test_dev_command_prints_the_banner_and_stops_on_sigterm(
    mini_project: Path, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "woocom",
            "dev",
            "--port",
            "0",
            "--stack",
            str(mini_project),
            "--no-seed",
            "--no-reload",
            "--outputs",
            str(tmp_path / "local.json"),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first.startswith("WooCom local stack ready in"):
            process.kill()
            pytest.fail(f"no banner; stdout {first!r}, stderr:\n{process.communicate()[1]}")
        banner = first + "".join(process.stdout.readline() for _ in range(4))
        assert "API       http://127.0.0.1:" in banner
        assert f"outputs   {tmp_path / 'local.json'}" in banner
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "stopping" in stderr
        assert not (tmp_path / "local.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.slow  # a whole stack, or `woocom dev` in a subprocess
def test_cli_runs_in_the_foreground_until_sigterm(
    mini_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "local.json"

    def stop_when_ready() -> None:
        wait_for(outputs.exists, timeout=60, what="the outputs file")
        os.kill(os.getpid(), signal.SIGTERM)

    stopper = threading.Thread(target=stop_when_ready)
    stopper.start()
    argv = ["--port", "0", "--stack", str(mini_project), "--no-seed", "--outputs", str(outputs)]
    assert cli.main([*argv, "--quiet", "--schedule", "tick=rate(1 minute)"]) == 0
    stopper.join()
    out = capsys.readouterr().out
    assert "WooCom local stack ready" in out
    assert "aws s3 cp" not in out  # the mini project has no imports bucket
    assert runtime_threads() == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def banner_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The `nox -s dev` banner of a stack at the default ports, as printed from the repo."""
    monkeypatch.chdir(REPO_ROOT)
    runtime = SimpleNamespace(
        outputs={
            "api_url": "http://127.0.0.1:8000",
            "aws_endpoint_url": "http://127.0.0.1:5000",
            "site_url": "http://127.0.0.1:8000/",
            "imports_bucket": "woocom-local-imports",
        },
        outputs_path=REPO_ROOT / ".woocom" / "outputs" / "local.json",
        env_file=REPO_ROOT / ".woocom" / "outputs" / "local.env",
        started_in=1.0,
        enforce_iam=True,
    )
    return cli.banner(runtime).splitlines()  # type: ignore[arg-type]


def test_the_banner_s_import_example_names_a_file_that_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = next(x for x in banner_lines(monkeypatch) if "aws s3 cp" in x)
    local_file = line.split("aws s3 cp ")[1].split()[0]
    assert (REPO_ROOT / local_file).is_file(), line


def test_the_banner_s_put_example_is_a_product_the_api_accepts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It printed `{"name": "Demo", ...}`: not JSON, and not a product."""
    line = next(x for x in banner_lines(monkeypatch) if "-X PUT" in x)
    body = line.split(" -d '")[1].rstrip("'")
    ProductBody.model_validate_json(body)
