"""GET/PUT/DELETE /products through the real catalog_api handler."""

from __future__ import annotations

from tests.factories import ADMIN, product


def test_put_creates_then_replaces_and_get_returns_it(api):
    created = api("PUT", "/products/{sku}", sku="MUG-1", body=product(), claims=ADMIN)
    assert created.status == 201
    assert created.body["price"] == "12.99"
    replaced = api("PUT", "/products/{sku}", sku="MUG-1", body=product(stock=3), claims=ADMIN)
    assert replaced.status == 200
    fetched = api("GET", "/products/{sku}", sku="MUG-1")
    assert fetched.status == 200
    assert fetched.body == {**product(stock=3), "sku": "MUG-1"}
