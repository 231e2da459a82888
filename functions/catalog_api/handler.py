"""Routes of the catalog: GET/PUT/DELETE /products..., GET /openapi.json.

Each route's declaration is its whole contract; the OpenAPI document is generated
from these declarations (see `storefront.openapi`).
"""

from __future__ import annotations

from storefront.errors import ProductNotFoundError
from storefront.http import Reply, Request, Response, Router
from storefront.models import Product, ProductBody, ProductPage, ProductQuery, SkuPath, utcnow
from storefront.repository import Repository

router = Router()
handle = router


@router.route(
    "GET",
    "/products",
    summary="List products, optionally of one category, by sku",
    query=ProductQuery,
    replies={200: Reply("A page of products", ProductPage)},
)
def list_products(request: Request) -> Response:
    query = request.input(ProductQuery)
    page = Repository.default().list_products(query.category, query.limit, query.cursor)
    return Response(200, ProductPage(items=page.items, next_cursor=page.next_cursor))


@router.route(
    "GET",
    "/products/{sku}",
    summary="Get a product",
    path=SkuPath,
    replies={200: Reply("The product", Product)},
    errors=(404,),
)
def get_product(request: Request) -> Response:
    sku = request.input(SkuPath).sku
    product = Repository.default().get_product(sku)
    if product is None:
        raise ProductNotFoundError(f"no product {sku!r}")
    return Response(200, product)


@router.route(
    "PUT",
    "/products/{sku}",
    summary="Create (201) or replace (200) a product",
    admin=True,
    path=SkuPath,
    body=ProductBody,
    replies={
        200: Reply("Replaced", Product),
        201: Reply("Created", Product),
    },
)
def put_product(request: Request) -> Response:
    sku = request.input(SkuPath).sku
    product = request.input(ProductBody).with_sku(sku)
    created = Repository.default().put_product(product, utcnow())
    return Response(201 if created else 200, product)


@router.route(
    "DELETE",
    "/products/{sku}",
    summary="Delete a product",
    admin=True,
    path=SkuPath,
    replies={204: Reply("Deleted")},
    errors=(404,),
)
def delete_product(request: Request) -> Response:
    sku = request.input(SkuPath).sku
    if not Repository.default().delete_product(sku):
        raise ProductNotFoundError(f"no product {sku!r}")
    return Response(204)


@router.route(
    "GET",
    "/openapi.json",
    summary="This document",
    replies={200: Reply("The OpenAPI 3.1 document of this API")},
)
def openapi_document(_request: Request) -> Response:
    # Imported here: only this route pays for reading the document.
    from storefront import openapi

    return Response(200, openapi.served())
