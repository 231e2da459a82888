"""The runtime's parts on their own: routing, proxy responses, batch failure reports."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from woocom.config import load_stack
from woocom.local.api import Router, proxy_response
from woocom.local.emulator import Emulator
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
