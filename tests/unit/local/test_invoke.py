"""`woocom invoke`: one function, once, against the running local stack."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from woocom.local import invoke
from woocom.local.emulator import emulator_client
from woocom.local.runtime import LocalRuntime

pytestmark = pytest.mark.slow  # one whole local stack for the module


@pytest.fixture(scope="module")
def running(mini_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    outputs = tmp_path_factory.mktemp("invoke") / "local.json"
    with LocalRuntime(
        port=0, stack_file=mini_project, seed_file=None, outputs_path=outputs, reload=False
    ) as runtime:
        yield runtime


def args(runtime: LocalRuntime, *rest: str) -> list[str]:
    return [*rest, "--stack", str(runtime.stack_file), "--outputs", str(runtime.outputs_path)]


def stored(runtime: LocalRuntime, pk: str) -> dict[str, object] | None:
    found: dict[str, object] | None = (
        emulator_client("dynamodb", runtime.outputs["aws_endpoint_url"])
        .get_item(TableName=runtime.outputs["table_name"], Key={"pk": {"S": pk}})
        .get("Item")
    )
    return found


def test_scheduled_function_runs_now(
    running: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = stored(running, "tick")
    assert invoke.main(args(running, "tick")) == 0
    after = stored(running, "tick")
    assert after is not None
    assert after != before
    assert after["last_event"] == {"S": "aws.events"}
    assert capsys.readouterr().out.strip() == "null"


def test_api_function_gets_its_first_plain_route(
    running: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke.main(args(running, "web")) == 0
    response = json.loads(capsys.readouterr().out)
    assert response["statusCode"] == 200
    seen = json.loads(response["body"])
    assert seen["resource"] == "/things/special"
    assert seen["function"] == "mini-local-web"


def test_event_file_and_overrides(
    running: LocalRuntime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": [{"messageId": "m1", "body": "from-file"}]}))
    assert invoke.main(args(running, "worker", "--event", str(event), "--set", "X=1")) == 0
    assert json.loads(capsys.readouterr().out) == {"batchItemFailures": []}
    assert stored(running, "job:from-file") is not None


@pytest.mark.parametrize("function", ["worker", "ingest"])
def test_default_events_for_queue_and_s3_functions(
    running: LocalRuntime, function: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke.main(args(running, function)) == 0
    assert capsys.readouterr().out.strip() in ('{\n  "batchItemFailures": []\n}', "null")


def test_a_raising_function_exits_1_with_its_traceback(
    running: LocalRuntime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"Records": [{"messageId": "m1", "body": "raise"}]}))
    assert invoke.main(args(running, "worker", "--event", str(event))) == 1
    assert "RuntimeError: the whole batch fails" in capsys.readouterr().err


def test_invoke_leaves_the_environment_as_it_was(running: LocalRuntime) -> None:
    before = dict(os.environ)
    assert invoke.main(args(running, "tick", "--set", "EXTRA=1")) == 0
    assert dict(os.environ) == before


def test_errors_say_what_to_do(
    running: LocalRuntime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke.main(args(running, "nope")) == 1
    assert "no function 'nope'" in capsys.readouterr().err
    missing = ["tick", "--stack", str(running.stack_file), "--outputs", str(tmp_path / "x.json")]
    assert invoke.main(missing) == 1
    assert "nox -s dev" in capsys.readouterr().err
    assert invoke.main(args(running, "tick", "--event", str(tmp_path / "absent.json"))) == 1
    assert "cannot read the event" in capsys.readouterr().err


def test_a_stopped_stack_is_reported(
    tmp_path: Path, mini_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "local.json"
    outputs.write_text(json.dumps({"aws_endpoint_url": "http://127.0.0.1:9"}))
    assert invoke.main(["worker", "--stack", str(mini_project), "--outputs", str(outputs)]) == 1
    assert "does not answer" in capsys.readouterr().err
