"""Catalog: browse by category with pagination, product lookup, admin writes and their auth."""

from __future__ import annotations

from typing import Any

import pytest

from woocom.local.client import HttpClient

from .support import Catalog


def test_browse_a_category_page_by_page(api: HttpClient, catalog: Catalog) -> None:
    skus = {catalog.add(f"p{i}", category="browse")["sku"] for i in range(5)}
    catalog.add("elsewhere", category="other")
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = f"/products?category={catalog.category('browse')}&limit=2"
        response = api.get(query + (f"&cursor={cursor}" if cursor else ""))
        assert response.status == 200, response
        page = response.json()
        assert len(page["items"]) <= 2
        seen += [item["sku"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert pages < 10, "pagination does not end"
    assert sorted(seen) == sorted(skus), "every product once, none from another category"
    assert pages >= 3


def test_browse_without_category_lists_products(api: HttpClient, catalog: Catalog) -> None:
    catalog.add("listed")
    response = api.get("/products?limit=100")
    assert response.status == 200
    page = response.json()
    assert page["items"], "the catalog lists products"
    for item in page["items"]:
        assert set(item) >= {"sku", "name", "category", "price", "currency", "stock"}
        assert isinstance(item["price"], str)


def test_product_lookup_and_404(api: HttpClient, catalog: Catalog) -> None:
    created = catalog.add("lookup", price="12.99", stock=7)
    response = api.get(f"/products/{created['sku']}")
    assert response.status == 200
    assert response.json() == created
    assert response.json()["price"] == "12.99"
    missing = api.get(f"/products/{catalog.sku('absent')}")
    assert missing.status == 404
    assert missing.json()["error"]["code"] == "product_not_found"


def test_admin_creates_replaces_and_deletes(
    admin: HttpClient, api: HttpClient, catalog: Catalog
) -> None:
    sku = catalog.sku("crud")
    body: dict[str, Any] = {
        "name": "Mug",
        "category": catalog.category("crud"),
        "price": "8.50",
        "currency": "EUR",
        "stock": 3,
    }
    created = admin.put(f"/products/{sku}", body)
    assert created.status == 201, created
    catalog.created.append(sku)
    replaced = admin.put(f"/products/{sku}", {**body, "price": "9.00", "stock": 4})
    assert replaced.status == 200, replaced
    assert api.get(f"/products/{sku}").json()["price"] == "9.00"
    assert admin.delete(f"/products/{sku}").status == 204
    assert api.get(f"/products/{sku}").status == 404
    assert admin.delete(f"/products/{sku}").status == 404


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_admin_routes_need_a_token(api: HttpClient, catalog: Catalog, method: str) -> None:
    response = api.request(
        method, f"/products/{catalog.sku('noauth')}", json_body={} if method == "PUT" else None
    )
    assert response.status == 401
    assert api.get(f"/products/{catalog.sku('noauth')}").status == 404


def test_admin_routes_need_the_admin_group(shopper: HttpClient, catalog: Catalog) -> None:
    body = {"name": "x", "category": "x", "price": "1.00", "currency": "EUR", "stock": 1}
    response = shopper.put(f"/products/{catalog.sku('forbidden')}", body)
    assert response.status == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "12.999"}, "price"),  # no fractions of a cent
        ({"price": "-1.00"}, "price"),
        ({"stock": -1}, "stock"),
        ({"currency": "EURO"}, "currency"),
        ({"colour": "red"}, "colour"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_product_is_a_400_naming_the_field(
    admin: HttpClient, catalog: Catalog, change: dict[str, Any], field: str
) -> None:
    body = {"name": "x", "category": "misc", "price": "1.00", "currency": "EUR", "stock": 1}
    response = admin.put(f"/products/{catalog.sku('invalid')}", {**body, **change})
    assert response.status == 400, response
    assert field in response.body.decode()


def test_malformed_json_is_a_400(admin: HttpClient, catalog: Catalog) -> None:
    response = admin.request(
        "PUT",
        f"/products/{catalog.sku('malformed')}",
        body='{"name": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400
    assert response.json()["error"]["code"] == "malformed_json"
