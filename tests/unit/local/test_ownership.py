"""Two `nox -s dev` and one outputs file: the second refuses, a dead owner is replaced,
and no stack deletes a file another one wrote."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from woocom.local import cli
from woocom.local.ownership import OutputsBusyError, claim_outputs, remove_own_files
from woocom.local.runtime import LocalRuntime


@pytest.fixture
def live_api() -> Iterator[int]:
    """A port that accepts connections, as the API of a running stack does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def outputs_of(path: Path, pid: int, port: int) -> Path:
    path.write_text(
        json.dumps({"target": "local", "pid": pid, "api_url": f"http://127.0.0.1:{port}"})
    )
    return path


def test_a_second_stack_refuses_outputs_a_live_stack_owns(
    mini_project: Path, tmp_path: Path, live_api: int
) -> None:
    outputs = outputs_of(tmp_path / "local.json", os.getppid(), live_api)
    before = outputs.read_text()
    runtime = LocalRuntime(port=0, stack_file=mini_project, seed_file=None, outputs_path=outputs)
    with pytest.raises(OutputsBusyError) as refused:
        runtime.start()
    message = str(refused.value)
    assert f"pid {os.getppid()}" in message
    assert f"port {live_api}" in message
    assert "--outputs" in message
    assert outputs.read_text() == before  # neither clobbered nor deleted


def test_the_cli_names_the_owner_and_exits_1(
    mini_project: Path, tmp_path: Path, live_api: int, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = outputs_of(tmp_path / "local.json", os.getppid(), live_api)
    argv = ["--port", "0", "--stack", str(mini_project), "--no-seed", "--outputs", str(outputs)]
    assert cli.main(argv) == 1
    assert f"another local stack (pid {os.getppid()}" in capsys.readouterr().err


def test_outputs_of_a_dead_stack_are_taken_over(tmp_path: Path, live_api: int) -> None:
    claim_outputs(outputs_of(tmp_path / "local.json", dead_pid(), live_api))


def test_outputs_whose_owner_no_longer_serves_are_taken_over(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    # The pid lives (a reused pid, say) but nothing answers on the recorded port.
    claim_outputs(outputs_of(tmp_path / "local.json", os.getppid(), closed_port))


def test_files_another_process_wrote_are_never_deleted(tmp_path: Path) -> None:
    theirs = outputs_of(tmp_path / "local.json", os.getppid(), 1)
    their_env = tmp_path / "local.env"
    their_env.write_text(f"# written by woocom dev, pid {os.getppid()}\nexport A=b\n")
    ours = outputs_of(tmp_path / "mine.json", os.getpid(), 1)
    remove_own_files(theirs, their_env, ours, tmp_path / "absent.json")
    assert theirs.exists()
    assert their_env.exists()
    assert not ours.exists()


@pytest.mark.slow  # a whole stack
def test_a_stopping_stack_leaves_the_file_a_newer_stack_wrote(
    mini_project: Path, tmp_path: Path
) -> None:
    outputs = tmp_path / "local.json"
    runtime = LocalRuntime(
        port=0, stack_file=mini_project, seed_file=None, outputs_path=outputs, reload=False
    )
    with runtime:
        assert json.loads(outputs.read_text())["pid"] == os.getpid()
        assert f"pid {os.getpid()}" in runtime.env_file.read_text()
        # Another stack (after this one was reported dead, say) wrote its own outputs.
        outputs_of(outputs, os.getppid(), 1)
    assert json.loads(outputs.read_text())["pid"] == os.getppid()
    assert not runtime.env_file.exists()  # still ours: removed
