"""The runtime's parts on their own: routing, proxy responses, batch failure reports."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from woocom.config import load_stack
from woocom.local.api import Router, proxy_response
from woocom.local.emulator import Emulator, _SerializeDynamoDB
from woocom.local.pollers import failed_message_ids


@pytest.fixture(scope="module")
def router(mini_project: Path) -> Router:
    return Router(load_stack(mini_project))


def test_router_keeps_parameters_encoded_and_ignores_a_trailing_slash(router: Router) -> None:
    # An encoded "/" stays inside its parameter, and stays encoded as a REST API passes it.
    found = router.match("GET", "/things/a%2Fb/")
    assert not isinstance(found, list)
    route, params = found
    assert (route.function, route.resource, params) == (
        "web",
        "/things/{thing_id}",
        {"thing_id": "a%2Fb"},
    )


def test_router_lists_allowed_methods_or_nothing(router: Router) -> None:
    assert router.match("POST", "/things/1") == ["GET", "PUT"]
    assert router.match("GET", "/things/1/more") == []


def test_proxy_response_with_base64_body_and_multi_headers() -> None:
    response = proxy_response(
        "f",
        {
            "statusCode": 201,
            "headers": {"Content-Type": "image/png"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        },
    )
    assert response.status == 201
    assert response.body == b"\x89PNG"
    assert ("Set-Cookie", "a=1") in response.headers
    assert ("Set-Cookie", "b=2") in response.headers


@pytest.mark.parametrize("result", [None, {"statusCode": "200"}, [], {"body": "x"}])
def test_malformed_proxy_results_are_502(result: object) -> None:
    assert proxy_response("f", result).status == 502


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m1"}]}, {"m1"}),
        # Lambda fails the whole batch on an invalid report.
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
        ({"batchItemFailures": [{"itemIdentifier": "unknown"}]}, None),
        ({"batchItemFailures": ["m1"]}, None),
    ],
)
def test_failed_message_ids(result: object, expected: set[str] | None) -> None:
    assert failed_message_ids(result, {"m1", "m2"}) == expected


def test_one_emulator_per_process() -> None:
    first = Emulator().start()
    try:
        with pytest.raises(RuntimeError, match="already runs in this process"):
            Emulator().start()
    finally:
        first.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = first.endpoint_url


def test_each_emulator_starts_empty_and_is_emptied_on_stop() -> None:
    first = Emulator().start()
    try:
        first.s3().create_bucket(Bucket="left-behind")
    finally:
        first.stop()
    second = Emulator().start()
    try:
        assert second.s3().list_buckets()["Buckets"] == []
    finally:
        second.stop()


def _meet(barrier: threading.Barrier) -> str:
    """'together' when another request reached the same point while this one waited."""
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        barrier.abort()  # whoever comes next finds it broken at once: no second wait
        return "alone"
    return "together"


def test_the_emulator_serves_dynamodb_requests_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """moto's DynamoDB is not thread-safe; DynamoDB isolates requests. Two concurrent
    GetItems must never be inside moto together (the wait only slows a passing run)."""
    from moto.dynamodb.responses import DynamoHandler

    barrier = threading.Barrier(2, timeout=1)
    met: list[str] = []
    original = DynamoHandler.get_item

    def probe(self: DynamoHandler) -> Any:
        met.append(_meet(barrier))
        return original(self)

    monkeypatch.setattr(DynamoHandler, "get_item", probe)
    emulator = Emulator().start()
    try:
        dynamodb = emulator.dynamodb()
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda _: dynamodb.get_item(TableName="t", Key={"pk": {"S": "x"}}), "ab"))
    finally:
        emulator.stop()
    assert met == ["alone", "alone"]


def test_requests_other_than_dynamodb_are_served_concurrently() -> None:
    barrier = threading.Barrier(2, timeout=30)
    met: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        met.append(_meet(barrier))
        start_response("200 OK", [])
        return [b""]

    served = _SerializeDynamoDB(app)
    s3_request = {"REQUEST_METHOD": "GET", "PATH_INFO": "/bucket"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: served(dict(s3_request), lambda *a: None), "ab"))
    assert met == ["together", "together"]
