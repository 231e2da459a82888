"""Checkout and order management through the real orders_api handler, on moto."""

from __future__ import annotations

import json

import pytest

from storefront.models import OrderStatus
from tests.factories import ADMIN, SHOPPER, order, product
from tests.unit.functions.support import queued_order_ids


@pytest.fixture
def catalog(api):
    """MUG-1 (12.99 EUR, 5 in stock) and TEA-1 (4.50 EUR, 2 in stock)."""
    api("PUT", "/products/{sku}", sku="MUG-1", body=product(stock=5), claims=ADMIN)
    api(
        "PUT",
        "/products/{sku}",
        sku="TEA-1",
        claims=ADMIN,
        body=product(name="Tea", category="tea", price="4.50", stock=2),
    )
    return api


def stock(api, sku):
    return api("GET", "/products/{sku}", sku=sku).body["stock"]


def test_checkout_reserves_stock_writes_the_order_and_notifies_the_worker(catalog, resources):
    placed = catalog("POST", "/orders", body=order(("MUG-1", 2), ("TEA-1", 1)))
    assert placed.status == 201
    body = placed.body
    assert body["status"] == "PENDING"
    assert body["total"] == "30.48"  # 2 x 12.99 + 4.50, exactly
    assert body["currency"] == "EUR"
    assert body["items"] == [
        {"sku": "MUG-1", "quantity": 2, "unit_price": "12.99"},
        {"sku": "TEA-1", "quantity": 1, "unit_price": "4.50"},
    ]
    assert body["created_at"].endswith("Z")
    assert placed.headers["Location"] == f"/orders/{body['order_id']}"
    assert (stock(catalog, "MUG-1"), stock(catalog, "TEA-1")) == (3, 1)
    assert catalog("GET", "/orders/{order_id}", order_id=body["order_id"]).body == body
    assert queued_order_ids(resources) == [body["order_id"]]


def test_unknown_sku_is_404_naming_it_and_nothing_changes(catalog, resources):
    answer = catalog("POST", "/orders", body=order(("MUG-1", 1), ("GHOST-9", 1)))
    assert answer.status == 404
    assert answer.body["error"]["code"] == "product_not_found"
    assert "GHOST-9" in answer.body["error"]["message"]
    assert stock(catalog, "MUG-1") == 5
    assert queued_order_ids(resources) == []


def test_insufficient_stock_is_409_naming_the_sku_and_nothing_changes(catalog):
    answer = catalog("POST", "/orders", body=order(("MUG-1", 1), ("TEA-1", 3)))
    assert answer.status == 409
    assert answer.body["error"]["code"] == "insufficient_stock"
    assert answer.body["error"]["details"] == [{"sku": "TEA-1", "requested": 3, "available": 2}]
    assert "TEA-1" in answer.body["error"]["message"]
    assert (stock(catalog, "MUG-1"), stock(catalog, "TEA-1")) == (5, 2)


def test_mixed_currencies_are_409(catalog):
    catalog("PUT", "/products/{sku}", sku="USD-1", body=product(currency="USD"), claims=ADMIN)
    answer = catalog("POST", "/orders", body=order(("MUG-1", 1), ("USD-1", 1)))
    assert answer.status == 409
    assert answer.body["error"]["code"] == "currency_mismatch"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (order(("MUG-1", 0)), "items.0.quantity"),
        (order(("MUG-1", -2)), "items.0.quantity"),
        (order(("MUG-1", 1001)), "items.0.quantity"),
        ({"email": "a@b.co", "items": [{"sku": "MUG-1", "quantity": "2"}]}, "items.0.quantity"),
        ({"email": "a@b.co", "items": [{"sku": "MUG-1", "quantity": 1.5}]}, "items.0.quantity"),
        ({"email": "a@b.co", "items": [{"sku": "MUG-1", "quantity": True}]}, "items.0.quantity"),
        ({"email": "a@b.co", "items": []}, "items"),
        ({"email": "a@b.co", "items": {"sku": "MUG-1"}}, "items"),
        ({"email": "not-an-email", "items": [{"sku": "MUG-1", "quantity": 1}]}, "email"),
        ({"email": 7, "items": [{"sku": "MUG-1", "quantity": 1}]}, "email"),
        ({"items": [{"sku": "MUG-1", "quantity": 1}]}, "email"),
        ({**order(("MUG-1", 1)), "coupon": "FREE"}, "coupon"),
        (order(("MUG-1", 1), ("MUG-1", 2)), "items"),
        (
            {"email": "a@b.co", "items": [{"sku": "MUG-1", "quantity": 1, "price": "0"}]},
            "items.0.price",
        ),
    ],
)
def test_invalid_orders_are_400_naming_the_field(catalog, body, field):
    answer = catalog("POST", "/orders", body=body)
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_request"
    assert field in [d["field"] for d in answer.body["error"]["details"]]
    assert stock(catalog, "MUG-1") == 5


def test_malformed_json_and_oversized_orders_are_4xx(catalog):
    assert catalog("POST", "/orders", body='{"email": ').body["error"]["code"] == "malformed_json"
    huge = order(("MUG-1", 1), email="a" * 70_000 + "@b.co")
    assert catalog("POST", "/orders", body=huge).status == 413


def test_a_retried_request_with_the_same_idempotency_key_returns_the_first_order(
    catalog, resources
):
    headers = {"Idempotency-Key": "c0ffee-1"}
    first = catalog("POST", "/orders", body=order(("MUG-1", 2)), headers=headers)
    again = catalog("POST", "/orders", body=order(("MUG-1", 2)), headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.body["order_id"] == first.body["order_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert stock(catalog, "MUG-1") == 3  # reserved once
    assert queued_order_ids(resources) == [first.body["order_id"]]


def test_the_same_idempotency_key_with_another_body_is_422(catalog):
    headers = {"idempotency-key": "c0ffee-2"}  # header names are case-insensitive
    catalog("POST", "/orders", body=order(("MUG-1", 1)), headers=headers)
    reused = catalog("POST", "/orders", body=order(("MUG-1", 2)), headers=headers)
    assert reused.status == 422
    assert reused.body["error"]["code"] == "idempotency_key_reused"
    assert stock(catalog, "MUG-1") == 4


def test_an_unusable_idempotency_key_is_400(catalog):
    answer = catalog(
        "POST", "/orders", body=order(("MUG-1", 1)), headers={"Idempotency-Key": "x" * 201}
    )
    assert answer.status == 400
    assert "Idempotency-Key" in answer.body["error"]["message"]


def test_an_order_survives_a_failed_enqueue_and_stays_pending(catalog, monkeypatch, capsys):
    monkeypatch.setenv("QUEUE_ORDERS_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/gone")
    from storefront import aws

    aws.reset()
    placed = catalog("POST", "/orders", body=order(("MUG-1", 1)))
    assert placed.status == 201
    assert (
        catalog("GET", "/orders/{order_id}", order_id=placed.body["order_id"]).body["status"]
        == "PENDING"
    )
    assert "expire_orders will re-drive it" in capsys.readouterr().out


def test_get_unknown_order_is_404(catalog):
    answer = catalog("GET", "/orders/{order_id}", order_id="nope")
    assert answer.status == 404
    assert answer.body["error"]["code"] == "order_not_found"


def test_admin_lists_orders_by_status_page_by_page(catalog):
    ids = [catalog("POST", "/orders", body=order(("MUG-1", 1))).body["order_id"] for _ in range(3)]
    first = catalog("GET", "/orders", query={"status": "PENDING", "limit": "2"}, claims=ADMIN)
    assert first.status == 200
    second = catalog(
        "GET",
        "/orders",
        claims=ADMIN,
        query={"status": "PENDING", "limit": "2", "cursor": first.body["next_cursor"]},
    )
    listed = [o["order_id"] for o in first.body["items"] + second.body["items"]]
    assert sorted(listed) == sorted(ids)
    assert second.body["next_cursor"] is None
    confirmed = catalog("GET", "/orders", query={"status": "CONFIRMED"}, claims=ADMIN)
    assert confirmed.body == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("query", [{}, {"status": "pending"}, {"status": "SHIPPED"}])
def test_listing_orders_needs_a_valid_status(catalog, query):
    answer = catalog("GET", "/orders", query=query, claims=ADMIN)
    assert answer.status == 400
    assert "status" in [d["field"] for d in answer.body["error"]["details"]]


def test_admin_cancel_releases_stock_once_then_409(catalog):
    placed = catalog("POST", "/orders", body=order(("MUG-1", 2), ("TEA-1", 2))).body
    assert (stock(catalog, "MUG-1"), stock(catalog, "TEA-1")) == (3, 0)
    cancelled = catalog(
        "POST", "/orders/{order_id}/cancel", order_id=placed["order_id"], claims=ADMIN
    )
    assert cancelled.status == 200
    assert cancelled.body["status"] == OrderStatus.CANCELLED
    assert (stock(catalog, "MUG-1"), stock(catalog, "TEA-1")) == (5, 2)
    again = catalog("POST", "/orders/{order_id}/cancel", order_id=placed["order_id"], claims=ADMIN)
    assert again.status == 409
    assert again.body["error"]["code"] == "order_not_cancellable"
    assert (stock(catalog, "MUG-1"), stock(catalog, "TEA-1")) == (5, 2)


def test_cancel_skips_lines_whose_product_was_deleted(catalog):
    placed = catalog("POST", "/orders", body=order(("MUG-1", 1), ("TEA-1", 1))).body
    catalog("DELETE", "/products/{sku}", sku="TEA-1", claims=ADMIN)
    cancelled = catalog(
        "POST", "/orders/{order_id}/cancel", order_id=placed["order_id"], claims=ADMIN
    )
    assert cancelled.status == 200
    assert stock(catalog, "MUG-1") == 5
    assert catalog("GET", "/products/{sku}", sku="TEA-1").status == 404  # not resurrected


def test_cancel_unknown_order_is_404(catalog):
    answer = catalog("POST", "/orders/{order_id}/cancel", order_id="nope", claims=ADMIN)
    assert answer.status == 404


@pytest.mark.parametrize(("claims", "status"), [(None, 401), (SHOPPER, 403)])
def test_order_admin_routes_need_the_admin_group(catalog, claims, status):
    assert catalog("GET", "/orders", query={"status": "PENDING"}, claims=claims).status == status
    assert (
        catalog("POST", "/orders/{order_id}/cancel", order_id="x", claims=claims).status == status
    )


def audit_lines(capsys):
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [line for line in lines if line.get("audit") == "admin_action"]


def test_who_cancelled_an_order_is_logged_with_the_action(catalog, capsys):
    placed = catalog("POST", "/orders", body=order(("MUG-1", 1))).body
    capsys.readouterr()
    claims = {**ADMIN, "sub": "7d0c-sub", "cognito:username": "alice"}
    answer = catalog(
        "POST", "/orders/{order_id}/cancel", order_id=placed["order_id"], claims=claims
    )
    assert answer.status == 200
    (line,) = audit_lines(capsys)
    assert line["action"] == "cancel_order"
    assert (line["actor_sub"], line["actor_username"]) == ("7d0c-sub", "alice")
    assert line["target"] == {"order_id": placed["order_id"]}
    assert line["status"] == 200
    assert line["correlation_id"] == answer.headers["X-Correlation-Id"]


def test_a_refused_admin_attempt_is_logged_too(catalog, capsys):
    capsys.readouterr()
    claims = {**SHOPPER, "cognito:username": "mallory"}
    catalog("GET", "/orders", query={"status": "PENDING"}, claims=claims)
    (line,) = audit_lines(capsys)
    assert (line["action"], line["actor_username"], line["status"]) == (
        "list_orders",
        "mallory",
        403,
    )


def test_public_routes_write_no_audit_line(catalog, capsys):
    capsys.readouterr()
    catalog("GET", "/orders/{order_id}", order_id="nope")
    assert audit_lines(capsys) == []


@pytest.mark.parametrize("order_id", ["a b", "x" * 65, "../etc"])
def test_a_malformed_order_id_is_400_naming_it(catalog, order_id):
    answer = catalog("GET", "/orders/{order_id}", order_id=order_id)
    assert answer.status == 400
    assert answer.body["error"]["details"][0]["field"] == "order_id"
