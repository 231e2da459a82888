"""Concurrent checkouts of the last items: every unit sold once, never more."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from woocom.local.client import HttpClient

from .support import Catalog, Target, place_order

pytestmark = pytest.mark.destructive

CLIENTS = 20
STOCK = 10


def test_concurrent_checkouts_never_oversell(
    target: Target, api: HttpClient, catalog: Catalog
) -> None:
    item = catalog.add("hot", stock=STOCK)

    def checkout(n: int) -> tuple[int, str | None]:
        client = target.client()  # one connection per buyer, as separate browsers
        response = place_order(client, f"buyer{n}@example.com", {item["sku"]: 1})
        client.close()
        body = response.json()
        return response.status, body.get("order_id") if response.status == 201 else None

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(checkout, range(CLIENTS)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * STOCK + [409] * (CLIENTS - STOCK), statuses
    assert api.get(f"/products/{item['sku']}").json()["stock"] == 0
    orders = [api.get(f"/orders/{order_id}").json() for _, order_id in results if order_id]
    assert sum(line["quantity"] for order in orders for line in order["items"]) == STOCK
