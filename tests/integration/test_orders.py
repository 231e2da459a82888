"""Checkout, idempotent retries, the worker's confirmation, cancellation and expiry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from woocom.local.client import HttpClient, wait_for

from .support import UNAVAILABLE_EMAIL, Catalog, Target, place_order

pytestmark = pytest.mark.destructive


def stock(api: HttpClient, sku: str) -> int:
    value: int = api.get(f"/products/{sku}").json()["stock"]
    return value


def order_status(api: HttpClient, order_id: str) -> str:
    status: str = api.get(f"/orders/{order_id}").json()["status"]
    return status


def test_checkout_reserves_stock_and_the_worker_confirms(api: HttpClient, catalog: Catalog) -> None:
    mug = catalog.add("mug", stock=5, price="12.99")
    pen = catalog.add("pen", stock=10, price="1.50")
    response = place_order(api, "ana@example.com", {mug["sku"]: 2, pen["sku"]: 3})
    assert response.status == 201, response
    order = response.json()
    assert order["status"] == "PENDING"
    assert order["total"] == "30.48"
    assert order["currency"] == "EUR"
    assert {(i["sku"], i["quantity"], i["unit_price"]) for i in order["items"]} == {
        (mug["sku"], 2, "12.99"),
        (pen["sku"], 3, "1.50"),
    }
    assert order["created_at"].endswith("Z")
    assert stock(api, mug["sku"]) == 3
    assert stock(api, pen["sku"]) == 7
    wait_for(
        lambda: order_status(api, order["order_id"]) == "CONFIRMED",
        what="the worker confirms the order",
    )
    assert api.get(f"/orders/{order['order_id']}").json()["payment_reference"]


def test_insufficient_stock_is_a_409_and_changes_nothing(api: HttpClient, catalog: Catalog) -> None:
    scarce = catalog.add("scarce", stock=1)
    plenty = catalog.add("plenty", stock=50)
    response = place_order(api, "bo@example.com", {plenty["sku"]: 2, scarce["sku"]: 2})
    assert response.status == 409, response
    assert response.json()["error"]["code"] == "insufficient_stock"
    assert stock(api, scarce["sku"]) == 1
    assert stock(api, plenty["sku"]) == 50


def test_unknown_sku_is_a_404(api: HttpClient, catalog: Catalog) -> None:
    response = place_order(api, "cy@example.com", {catalog.sku("ghost"): 1})
    assert response.status == 404
    assert response.json()["error"]["code"] == "product_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "dee@example.com", "items": []},
        {"email": "not-an-email", "items": [{"sku": "A", "quantity": 1}]},
        {"email": "dee@example.com", "items": [{"sku": "A", "quantity": 0}]},
        {"email": "dee@example.com", "items": [{"sku": "A", "quantity": -2}]},
        {"email": "dee@example.com", "items": [{"sku": "A", "quantity": "2"}]},
        {"email": "dee@example.com", "items": [{"sku": "A", "quantity": 1}], "coupon": "X"},
        ["not", "an", "object"],
    ],
)
def test_invalid_checkout_is_a_400(api: HttpClient, body: Any) -> None:
    response = api.post("/orders", body)
    assert response.status == 400, response
    assert response.json()["error"]["message"]


def test_retry_with_the_same_idempotency_key_returns_the_first_order(
    api: HttpClient, catalog: Catalog
) -> None:
    item = catalog.add("idem", stock=10)
    key = str(uuid.uuid4())
    first = place_order(api, "eve@example.com", {item["sku"]: 2}, **{"Idempotency-Key": key})
    again = place_order(api, "eve@example.com", {item["sku"]: 2}, **{"Idempotency-Key": key})
    assert first.status == again.status == 201
    assert again.json()["order_id"] == first.json()["order_id"]
    assert again.headers.get("idempotent-replayed") == "true"
    assert stock(api, item["sku"]) == 8, "stock is reserved once"
    other = place_order(api, "eve@example.com", {item["sku"]: 3}, **{"Idempotency-Key": key})
    assert other.status in (409, 422)
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_admin_cancels_a_pending_order_and_stock_returns(
    api: HttpClient, admin: HttpClient, catalog: Catalog
) -> None:
    item = catalog.add("cancel", stock=4)
    # The simulated provider cannot charge this address: the order stays PENDING.
    order = place_order(api, UNAVAILABLE_EMAIL, {item["sku"]: 3}).json()
    assert stock(api, item["sku"]) == 1
    assert api.post(f"/orders/{order['order_id']}/cancel").status == 401
    response = admin.post(f"/orders/{order['order_id']}/cancel")
    assert response.status == 200, response
    assert response.json()["status"] == "CANCELLED"
    assert stock(api, item["sku"]) == 4
    again = admin.post(f"/orders/{order['order_id']}/cancel")
    assert again.status == 409
    assert again.json()["error"]["code"] == "order_not_cancellable"


def test_confirmed_order_cannot_be_cancelled(
    api: HttpClient, admin: HttpClient, catalog: Catalog
) -> None:
    item = catalog.add("confirmed", stock=4)
    order = place_order(api, "fay@example.com", {item["sku"]: 1}).json()
    wait_for(lambda: order_status(api, order["order_id"]) == "CONFIRMED", what="confirmation")
    assert admin.post(f"/orders/{order['order_id']}/cancel").status == 409


def test_declined_payment_cancels_the_order_and_releases_stock(
    api: HttpClient, catalog: Catalog
) -> None:
    item = catalog.add("declined", stock=4)
    order = place_order(api, "gil+declined@example.com", {item["sku"]: 2}).json()
    wait_for(lambda: order_status(api, order["order_id"]) == "CANCELLED", what="cancellation")
    assert stock(api, item["sku"]) == 4


def test_admin_lists_orders_by_status(
    api: HttpClient, admin: HttpClient, shopper: HttpClient, catalog: Catalog
) -> None:
    item = catalog.add("listing", stock=4)
    order = place_order(api, UNAVAILABLE_EMAIL, {item["sku"]: 1}).json()
    assert api.get("/orders?status=PENDING").status == 401
    assert shopper.get("/orders?status=PENDING").status == 403

    def listed() -> bool:
        ids: set[str] = set()
        cursor = None
        while True:
            suffix = f"&cursor={cursor}" if cursor else ""
            page = admin.get(f"/orders?status=PENDING&limit=100{suffix}").json()
            ids |= {o["order_id"] for o in page["items"]}
            cursor = page["next_cursor"]
            if cursor is None:
                return order["order_id"] in ids

    wait_for(listed, what="the order in the PENDING listing")
    assert admin.get("/orders?status=NOPE").status == 400
    admin.post(f"/orders/{order['order_id']}/cancel")


def test_unknown_order_is_a_404(api: HttpClient) -> None:
    response = api.get("/orders/does-not-exist")
    assert response.status == 404
    assert response.json()["error"]["code"] == "order_not_found"


@pytest.mark.run_last
def test_stale_pending_order_expires_and_releases_stock(
    api: HttpClient, target: Target, stale_order: dict[str, Any] | None
) -> None:
    if stale_order is None or target.order_max_age_minutes is None:
        pytest.skip(
            f"target {target.name!r} keeps orders for its configured age (30 minutes by "
            "default); the suite shortens it only on --target local"
        )
    order_id = stale_order["order"]["order_id"]
    deadline = target.order_max_age_minutes * 60 + 60
    wait_for(
        lambda: order_status(api, order_id) == "EXPIRED",
        timeout=deadline,
        what="the sweep expires the stale order",
    )
    assert stock(api, stale_order["sku"]) == 5
