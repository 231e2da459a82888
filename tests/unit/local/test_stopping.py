"""Stopping is bounded: no signal timing, stuck thread or pending job keeps `woocom dev` alive."""

from __future__ import annotations

import ast
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from woocom.local import cli
from woocom.local.ownership import ENV_FILE_OWNER
from woocom.local.threads import STOP_TIMEOUT, DaemonPool, join
from woocom.paths import REPO_ROOT

# Runs `cli.main` with a stand-in runtime, and raises SIGTERM at the k-th Python line the main
# thread runs after the banner, for k = 1, 2, ... until the signal comes only once it waits:
# every point of the way into the wait. A handler that takes a lock the main thread may hold
# (threading.Event.set() inside Event.wait()) hangs at one of them.
_EVERY_POINT = textwrap.dedent(
    """
    import os, signal, sys, threading
    from pathlib import Path
    from woocom.local import cli

    class Runtime:
        def __init__(self, **kwargs):
            self.outputs_path = Path("unused.json")
            self.env_file = Path("unused.env")
        def start(self):
            return self
        def stop(self, timeout=None):
            pass

    state = {"armed": False, "count": 0, "target": 0, "fired": False}

    def arm(runtime):
        state["armed"] = True
        return "ready"

    def tracer(frame, event, arg):
        if event == "line" and state["armed"] and not state["fired"]:
            state["count"] += 1
            if state["count"] == state["target"]:
                state["fired"] = True
                signal.raise_signal(signal.SIGTERM)
        return tracer

    def send_late():
        if not state["fired"]:
            state.update(fired=True, late=True)
            # A signal to the process reaches the blocked main thread, as a SIGTERM does.
            os.kill(os.getpid(), signal.SIGTERM)

    cli.LocalRuntime, cli.banner = Runtime, arm
    for target in range(1, 500):
        state.update(armed=False, count=0, target=target, fired=False, late=False)
        # Past the last line before the wait blocks: nothing fires, so send it late.
        late = threading.Timer(0.5, send_late)
        late.start()
        sys.settrace(tracer)
        try:
            code = cli.main(["--quiet"])
        finally:
            sys.settrace(None)
            late.cancel()
        assert code == 0, code
        if state["late"]:
            print("covered", target - 1, "points", flush=True)
            break
    """
)


@pytest.mark.slow  # signals at every point of the wait, subprocesses
def test_a_stop_signal_at_any_point_of_the_wait_is_honoured() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _EVERY_POINT],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "covered" in done.stdout, done.stderr


class _Runtime:
    """What cli.main needs of a LocalRuntime; stop() gets a second SIGTERM, as an impatient user."""

    def __init__(self, outputs_path: Path, **kwargs: Any) -> None:
        self.outputs_path = outputs_path
        self.env_file = outputs_path.with_suffix(".env")

    def start(self) -> _Runtime:
        # Written as the real runtime writes them: marked with the pid that owns them.
        self.outputs_path.write_text(json.dumps({"pid": os.getpid()}))
        self.env_file.write_text(f"{ENV_FILE_OWNER}{os.getpid()}\n")
        signal.raise_signal(signal.SIGTERM)  # the first one, during startup
        return self

    def stop(self) -> None:
        signal.raise_signal(signal.SIGTERM)
        time.sleep(5)  # "stuck": only the second signal ends it


@pytest.mark.slow  # signals at every point of the wait, subprocesses
def test_a_second_signal_exits_at_once_and_removes_the_outputs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    class Exited(BaseException):
        pass

    def fake_exit(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(cli, "LocalRuntime", _Runtime)
    monkeypatch.setattr(cli, "banner", lambda runtime: "ready")
    monkeypatch.setattr(os, "_exit", fake_exit)
    outputs = tmp_path / "local.json"
    before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    with pytest.raises(Exited) as exited:
        cli.main(["--quiet", "--outputs", str(outputs)])
    assert time.monotonic() - started < 2
    assert exited.value.args == (128 + signal.SIGTERM,)
    assert not outputs.exists()
    assert not outputs.with_suffix(".env").exists()
    assert "second signal: exiting without waiting" in capfd.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before


def test_join_gives_up_on_a_stuck_thread_and_names_it(caplog: pytest.LogCaptureFixture) -> None:
    release = threading.Event()
    stuck = threading.Thread(target=release.wait, name="poll-stuck", daemon=True)
    stuck.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="woocom.local"):
        assert join(stuck, 0.2) is False
    assert time.monotonic() - started < 2
    assert "thread poll-stuck did not stop within 0.2 s" in caplog.text
    assert "in wait" in caplog.text  # where it is
    release.set()
    assert join(stuck, 5) is True
    assert join(threading.Thread(target=print), 0) is True  # never started


def test_daemon_pool_runs_jobs_and_stops_in_bounded_time(caplog: pytest.LogCaptureFixture) -> None:
    pool = DaemonPool(2, "async-invoke")
    ran = threading.Event()
    release = threading.Event()
    pool.submit(ran.set)
    assert ran.wait(5)
    running = threading.Semaphore(0)

    def stuck_job() -> None:  # one that will not finish by itself
        running.release()
        release.wait()

    pool.submit(stuck_job)
    pool.submit(stuck_job)
    assert running.acquire(timeout=5)
    assert running.acquire(timeout=5)
    dropped: list[int] = []
    pool.submit(dropped.append, 1)  # still queued behind them: dropped by stop
    threads = [t for t in threading.enumerate() if t.name.startswith("async-invoke-")]
    assert len(threads) == 2
    assert all(t.daemon for t in threads)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="woocom.local"):
        assert pool.stop(0.3) is False
    assert time.monotonic() - started < 3
    assert "did not stop within" in caplog.text
    release.set()
    for thread in threads:
        thread.join(5)
    assert dropped == []
    pool.submit(dropped.append, 2)  # after stop: ignored
    assert dropped == []


# `woocom dev --stop-with-parent` under a parent that dies without passing anything on, as
# nox does on SIGTERM (its default action): the stack must stop as if it got the signal.
_ORPHANED_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from woocom.local import cli

    outputs = Path(sys.argv[1])

    class Runtime:
        def __init__(self, **kwargs):
            self.outputs_path = outputs
            self.env_file = outputs.with_suffix(".env")
        def start(self):
            outputs.write_text("{}")
            return self
        def stop(self, timeout=None):
            outputs.unlink()
            outputs.with_name("stopped").write_text("gracefully")

    cli.LocalRuntime, cli.banner = Runtime, lambda runtime: "ready"
    cli.publish_to_local_stack = lambda path: None
    sys.exit(cli.main(["--quiet", "--stop-with-parent", "--outputs", str(outputs)]))
    """
)
_PARENT = textwrap.dedent(
    """
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]])
    print(child.pid, flush=True)
    time.sleep(600)
    """
)


@pytest.mark.slow  # subprocesses
def test_with_stop_with_parent_the_stack_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    outputs = tmp_path / "local.json"
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, _ORPHANED_CHILD, str(outputs)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    assert int(parent.stdout.readline()) > 0  # the child runs
    deadline = time.monotonic() + 30
    while not outputs.exists():
        assert time.monotonic() < deadline, "the stack never started"
        time.sleep(0.05)
    parent.kill()  # no chance to pass anything on
    parent.wait()
    while (tmp_path / "stopped").exists() is False:
        assert time.monotonic() < deadline, "the orphaned stack kept running"
        time.sleep(0.05)
    assert (tmp_path / "stopped").read_text() == "gracefully"
    assert not outputs.exists()


def test_nox_dev_waits_for_the_stack_to_stop_and_takes_it_down_with_itself() -> None:
    """nox sends its own SIGTERM (a second signal) 0.3 s after Ctrl-C unless told to wait."""
    tree = ast.parse((REPO_ROOT / "noxfile.py").read_text())
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    dev = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "dev")
    run = next(
        n
        for n in ast.walk(dev)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run"
    )
    assert "--stop-with-parent" in [a.value for a in run.args if isinstance(a, ast.Constant)]
    wait = next(k.value for k in run.keywords if k.arg == "interrupt_timeout")
    assert isinstance(wait, ast.Name)
    assert constants[wait.id] > STOP_TIMEOUT * 2
