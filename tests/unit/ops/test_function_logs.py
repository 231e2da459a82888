"""Function log lines name the function and the Lambda request, and can go to a file too.

Locally every function shares one process, so AWS_LAMBDA_FUNCTION_NAME is not set
and the name must come from the invocation's context (issue 14/17: "function": null).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from storefront import logs, settings
from storefront.http import Reply, Response, Router
from tests.factories import api_event, context


@pytest.fixture(autouse=True)
def _shared_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("WOOCOM_LOG_FILE", raising=False)
    settings.reset()


def _ping_router() -> Router:
    router = Router()

    @router.route("GET", "/ping", summary="Ping", replies={200: Reply("Pong")})
    def ping(_request: Any) -> Response:
        logs.get_logger("tests").info("pinged")
        return Response(200, {"ok": True})

    return router


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_api_log_lines_carry_the_function_name_and_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    invocation = context("woocom-local-catalog_api")
    _ping_router()(api_event("GET", "/ping"), invocation)
    lines = _lines(capsys.readouterr().out)
    assert [line["message"] for line in lines] == ["pinged", "GET /ping -> 200"]
    for line in lines:
        assert line["function"] == "woocom-local-catalog_api"
        assert line["request_id"] == invocation.aws_request_id


def test_outside_an_invocation_lambda_s_variable_names_the_function(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "woocom-staging-order_worker")
    with logs.correlated("corr-1"):
        logs.get_logger("tests").info("no context given")
    (line,) = _lines(capsys.readouterr().out)
    assert (line["function"], line["request_id"]) == ("woocom-staging-order_worker", None)


def test_the_function_is_forgotten_after_the_invocation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with logs.correlated("corr-1", context("woocom-local-orders_api")):
        pass
    logs.get_logger("tests").info("between invocations")
    (line,) = _lines(capsys.readouterr().out)
    assert (line["function"], line["request_id"]) == (None, None)


def test_with_a_log_file_lines_are_appended_to_it_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "logs" / "local.jsonl"
    monkeypatch.setenv("WOOCOM_LOG_FILE", str(log_file))
    _ping_router()(api_event("GET", "/ping"), context("woocom-local-catalog_api"))
    printed = _lines(capsys.readouterr().out)
    written = _lines(log_file.read_text(encoding="utf-8"))
    assert written == printed
    assert written[0]["function"] == "woocom-local-catalog_api"


def test_lines_keep_their_context_when_the_module_is_imported_afresh(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The local runtime forgets changed modules and imports them again; the handler an
    earlier import put on the process-wide logger must not format with stale variables."""
    logs.get_logger("tests").info("first import")  # the root handler and its formatter
    monkeypatch.delitem(sys.modules, "storefront.logs")
    fresh = importlib.import_module("storefront.logs")
    assert fresh is not logs
    with fresh.correlated("corr-2", context("woocom-local-order_worker")):
        fresh.get_logger("tests").info("after a reload")
    line = _lines(capsys.readouterr().out)[-1]
    assert (line["message"], line["correlation_id"], line["function"]) == (
        "after a reload",
        "corr-2",
        "woocom-local-order_worker",
    )
