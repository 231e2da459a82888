"""`nox -s logs`: one function's lines, on AWS (moto's CloudWatch Logs) and locally."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from woocom.ops import logs

# CloudWatch (and moto) refuse events older than 14 days: the reference moment is today,
# fixed once; every time in the tests is relative to it and injected as `now`.
NOW = datetime.now(UTC).replace(microsecond=0)
GROUP = "/aws/lambda/woocom-staging-catalog_api"


@pytest.fixture(autouse=True)
def _no_outputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Targets without outputs files: names come from stack.yaml's naming."""
    monkeypatch.setattr(logs, "read_outputs", _missing_outputs)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv(logs.LOG_FILE_VARIABLE, raising=False)


def _missing_outputs(target: str) -> dict[str, Any]:
    raise logs.OutputsMissingError(target)


def line(moment: datetime, message: str, correlation: str = "c-1", **extra: Any) -> str:
    return json.dumps(
        {
            "timestamp": moment.isoformat(timespec="milliseconds"),
            "level": "INFO",
            "message": message,
            "correlation_id": correlation,
            **extra,
        }
    )


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("logs", region_name="us-east-1")
        client.create_log_group(logGroupName=GROUP)
        client.create_log_stream(logGroupName=GROUP, logStreamName="s1")
        yield client


def put(client: Any, *events: tuple[datetime, str]) -> None:
    client.put_log_events(
        logGroupName=GROUP,
        logStreamName="s1",
        logEvents=[{"timestamp": int(t.timestamp() * 1000), "message": m} for t, m in events],
    )


def run(argv: list[str], **kwargs: Any) -> tuple[int, str]:
    out = io.StringIO()
    code = logs.main(argv, out=out, now=lambda: NOW, **kwargs)
    return code, out.getvalue()


def test_aws_prints_the_function_s_lines_since_the_window_every_page(client: Any) -> None:
    put(client, (NOW - timedelta(minutes=30), line(NOW, "too old")))
    put(client, *[(NOW - timedelta(minutes=5, seconds=-i), line(NOW, f"n{i}")) for i in range(7)])
    found = logs.read_aws(
        client,
        logs.resolve("staging", "catalog_api"),
        NOW - timedelta(minutes=10),
        None,
        page_size=2,
    )
    assert [json.loads(found_line.text)["message"] for _, found_line in found] == [
        f"n{i}" for i in range(7)
    ]
    code, printed = run(["staging", "catalog_api", "--since", "10m"], client=client)
    assert code == 0
    assert "too old" not in printed
    assert printed.splitlines()[0].endswith("INFO    [c-1] n0")


def test_aws_filters_by_correlation_id(client: Any) -> None:
    put(
        client,
        (NOW - timedelta(minutes=2), line(NOW, "mine", "order-7")),
        (NOW - timedelta(minutes=1), line(NOW, "theirs", "order-8")),
        (NOW - timedelta(seconds=30), "REPORT RequestId: abc Duration: 12.3 ms"),
    )
    code, printed = run(
        ["staging", "catalog_api", "--correlation-id", "order-7", "--json"], client=client
    )
    assert code == 0
    assert [json.loads(text)["message"] for text in printed.splitlines()] == ["mine"]


def test_aws_follow_prints_each_new_event_once(client: Any) -> None:
    source = logs.resolve("staging", "catalog_api")
    put(client, (NOW - timedelta(seconds=5), line(NOW, "first")))
    first = logs.read_aws(client, source, NOW - timedelta(minutes=1), None)
    polls = iter([(NOW + timedelta(seconds=1), "second"), (NOW + timedelta(seconds=2), "third")])

    def sleep(_seconds: float) -> None:
        moment, message = next(polls)
        put(client, (moment, line(moment, message)))

    followed = logs.follow_aws(
        client,
        source,
        first[-1][1].timestamp,
        None,
        seen={event_id for event_id, _ in first},
        sleep=sleep,
        polls=2,
    )
    assert [json.loads(found.text)["message"] for found in followed] == ["second", "third"]


def test_aws_a_missing_log_group_says_what_to_check(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = run(["staging", "orders_api"], client=client)
    assert (code, printed) == (1, "")
    assert "no log group /aws/lambda/woocom-staging-orders_api" in capsys.readouterr().err


def test_an_unknown_function_is_named_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["staging", "catalog_apy"])
    assert code == 1
    assert "did you mean 'catalog_api'" in capsys.readouterr().err


def test_a_bad_since_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["staging", "catalog_api", "--since", "ten minutes"])
    assert code == 1
    assert "like 90s, 10m, 2h or 1d" in capsys.readouterr().err


def test_outputs_name_the_deployed_function_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        logs,
        "read_outputs",
        lambda target: {"region": "eu-west-1", "function_names": {"catalog_api": "shop-x"}},
    )
    source = logs.resolve("production", "catalog_api")
    assert (source.log_group, source.region) == ("/aws/lambda/shop-x", "eu-west-1")


def test_local_reads_the_function_s_lines_of_the_local_log(tmp_path: Path) -> None:
    log_file = tmp_path / "local.jsonl"
    log_file.write_text(
        "\n".join(
            [
                line(NOW - timedelta(hours=1), "old", function="woocom-local-catalog_api"),
                line(NOW - timedelta(minutes=1), "browse", function="woocom-local-catalog_api"),
                line(NOW - timedelta(minutes=1), "checkout", function="woocom-local-orders_api"),
                line(NOW, "other order", "c-2", function="woocom-local-catalog_api"),
            ]
        )
        + "\n"
        + '{"half a line'
    )
    code, printed = run(["local", "catalog_api", "--since", "10m"], local_log=log_file)
    assert code == 0
    assert [text.split("] ", 1)[1] for text in printed.splitlines()] == ["browse", "other order"]
    code, printed = run(["local", "catalog_api", "--correlation-id", "c-2"], local_log=log_file)
    assert [text.split("] ", 1)[1] for text in printed.splitlines()] == ["other order"]


def test_local_follow_picks_up_appended_lines(tmp_path: Path) -> None:
    log_file = tmp_path / "local.jsonl"
    log_file.write_text(line(NOW, "before", function="woocom-local-order_worker") + "\n")
    source = logs.resolve("local", "order_worker")
    _, offset = logs.read_local(source, log_file, NOW - timedelta(minutes=1), None)

    def sleep(_seconds: float) -> None:
        with log_file.open("a") as file:
            file.write(line(NOW, "after", function="woocom-local-order_worker") + "\n")
            file.write(line(NOW, "elsewhere", function="woocom-local-orders_api") + "\n")

    followed = list(logs.follow_local(source, log_file, offset, None, sleep=sleep, polls=1))
    assert [json.loads(found.text)["message"] for found in followed] == ["after"]


def test_local_without_a_log_says_to_start_the_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(["local", "catalog_api"], local_log=tmp_path / "none.jsonl")
    assert code == 1
    assert "nox -s dev" in capsys.readouterr().err


def test_the_local_log_variable_names_the_file_and_sets_a_big_one_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "logs" / "local.jsonl"
    assert logs.local_log_environment(target) == {logs.LOG_FILE_VARIABLE: str(target)}
    assert target.parent.is_dir()
    monkeypatch.setattr(logs, "LOCAL_LOG_LIMIT_BYTES", 10)
    target.write_text("x" * 11)
    logs.local_log_environment(target)
    assert not target.exists()
    assert (tmp_path / "logs" / "local.jsonl.1").read_text() == "x" * 11


def test_an_exported_log_file_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(logs.LOG_FILE_VARIABLE, str(tmp_path / "mine.jsonl"))
    assert logs.local_log_environment(tmp_path / "default.jsonl") == {
        logs.LOG_FILE_VARIABLE: str(tmp_path / "mine.jsonl")
    }
