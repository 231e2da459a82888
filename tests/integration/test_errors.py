"""Whatever a client sends, the answer is a JSON error with a 4xx, never a 5xx."""

from __future__ import annotations

import pytest

from woocom.local.client import HttpClient


def test_unknown_route_is_a_json_404(api: HttpClient) -> None:
    response = api.get("/no/such/route")
    assert response.status in (403, 404)  # API Gateway answers 403 for unknown REST paths
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()


def test_wrong_method_on_a_known_path_is_a_4xx(api: HttpClient) -> None:
    response = api.request("PATCH", "/products")
    assert 400 <= response.status < 500


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/products", "limit=0"),
        ("/products", "limit=abc"),
        ("/products", "limit=1000"),
        ("/products", "cursor=not-a-cursor"),
        ("/products", "category=UPPER"),
    ],
)
def test_bad_query_parameters_are_400(api: HttpClient, path: str, query: str) -> None:
    response = api.get(f"{path}?{query}")
    assert response.status == 400, response
    assert response.json()["error"]["code"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{"),
        ("application/json", b"null"),
        ("application/json", b"\xff\xfe"),
        ("text/plain", b"hello"),
        ("application/json", b'{"email": "a@b.co", "items": [{"sku": "A", "quantity": 1e309}]}'),
    ],
)
def test_malformed_checkout_bodies_are_4xx(api: HttpClient, content_type: str, body: bytes) -> None:
    response = api.request("POST", "/orders", body=body, headers={"Content-Type": content_type})
    assert 400 <= response.status < 500, response
    assert response.json()["error"]["message"]


def test_oversized_body_is_413(api: HttpClient) -> None:
    body = b'{"email": "a@b.co", "items": [], "pad": "' + b"x" * (512 * 1024) + b'"}'
    response = api.request(
        "POST", "/orders", body=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413, response
