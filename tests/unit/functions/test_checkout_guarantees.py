"""No oversell under concurrency, and the conditions that guarantee it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from storefront import orders
from storefront.errors import InsufficientStockError, PriceChangedError
from storefront.models import CreateOrderRequest, Product
from storefront.repository import IdempotencyConflictError, IdempotencyRecord, Repository
from tests.factories import ADMIN, order, pending_order, product

STOCK = 5
BUYERS = 20


@pytest.fixture
def scarce(api):
    api("PUT", "/products/{sku}", sku="RARE-1", body=product(stock=STOCK), claims=ADMIN)
    return api


@pytest.mark.emulator
def test_concurrent_checkouts_accept_exactly_the_stock(scarce):
    def buy(i):
        return scarce("POST", "/orders", body=order(("RARE-1", 1), email=f"b{i}@woocom.test"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(buy, range(BUYERS)))
    statuses = sorted(r.status for r in results)
    assert statuses == [201] * STOCK + [409] * (BUYERS - STOCK)
    assert scarce("GET", "/products/{sku}", sku="RARE-1").body["stock"] == 0
    placed = scarce("GET", "/orders", query={"status": "PENDING", "limit": "100"}, claims=ADMIN)
    assert len(placed.body["items"]) == STOCK


def test_the_stock_condition_refuses_an_order_priced_from_a_stale_read(scarce):
    """Sequential over-ordering: the transaction's condition, not an earlier read, says no."""
    repo = Repository.default()

    def attempt():
        repo.create_order(pending_order(("RARE-1", STOCK, "12.99")), None)

    attempt()  # takes every unit
    with pytest.raises(InsufficientStockError) as refused:
        attempt()
    assert refused.value.details == [{"sku": "RARE-1", "requested": STOCK, "available": 0}]
    assert repo.get_product("RARE-1").stock == 0


def test_a_price_change_between_read_and_commit_is_409(scarce):
    repo = Repository.default()
    with pytest.raises(PriceChangedError):
        repo.create_order(pending_order(("RARE-1", 1, "9.99")), None)
    assert repo.get_product("RARE-1").stock == STOCK


def test_an_idempotency_key_claimed_by_a_concurrent_request_is_replayed(scarce):
    repo = Repository.default()
    request = CreateOrderRequest.model_validate(order(("RARE-1", 1)))
    first = orders.place_order(repo, request, "key-1")
    # The second request missed the record on its first look, so it reaches the transaction.
    late = pending_order(("RARE-1", 1, "12.99"), order_id="late")
    fingerprint = orders.request_fingerprint(request)
    with pytest.raises(IdempotencyConflictError):
        repo.create_order(late, IdempotencyRecord("key-1", fingerprint, "late"))
    assert repo.get_product("RARE-1").stock == STOCK - 1
    assert repo.get_order("late") is None
    replay = orders.place_order(repo, request, "key-1")
    assert replay.replayed
    assert replay.order.order_id == first.order.order_id


def test_products_round_trip_through_the_repository_unchanged(resources):
    repo = Repository.default()
    item = Product.model_validate({"sku": "X-1", **product(price="0.10", stock=0)})
    repo.put_products([item], datetime.now(UTC))
    assert repo.get_product("X-1") == item
    assert repo.get_products(["X-1", "NOPE"]) == {"X-1": item}
