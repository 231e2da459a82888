"""Routes of the catalog: GET/PUT/DELETE /products..., GET /openapi.json."""

from __future__ import annotations

from pydantic import ValidationError

from storefront.errors import InvalidRequestError, ProductNotFoundError
from storefront.http import Request, Response, Router, validation_error
from storefront.models import ProductBody, ProductPage, ProductQuery
from storefront.orders import utcnow
from storefront.repository import Repository

router = Router()
handle = router


@router.route("GET", "/products")
def list_products(request: Request) -> Response:
    query = request.query_model(ProductQuery)
    page = Repository.default().list_products(query.category, query.limit, query.cursor)
    return Response(200, ProductPage(items=page.items, next_cursor=page.next_cursor))


@router.route("GET", "/products/{sku}")
def get_product(request: Request) -> Response:
    sku = request.path_parameters["sku"]
    product = Repository.default().get_product(sku)
    if product is None:
        raise ProductNotFoundError(f"no product {sku!r}")
    return Response(200, product)


@router.route("PUT", "/products/{sku}", admin=True)
def put_product(request: Request) -> Response:
    sku = request.path_parameters["sku"]
    body = request.json_body(ProductBody)
    if body.sku is not None and body.sku != sku:
        raise InvalidRequestError(f"the body's sku {body.sku!r} differs from the path's {sku!r}")
    try:
        product = body.with_sku(sku)
    except ValidationError as exc:
        raise validation_error(exc, "path") from None
    created = Repository.default().put_product(product, utcnow())
    return Response(201 if created else 200, product)


@router.route("DELETE", "/products/{sku}", admin=True)
def delete_product(request: Request) -> Response:
    sku = request.path_parameters["sku"]
    if not Repository.default().delete_product(sku):
        raise ProductNotFoundError(f"no product {sku!r}")
    return Response(204)


@router.route("GET", "/openapi.json")
def openapi_document(_request: Request) -> Response:
    # Imported here: only this route pays for building the JSON schemas.
    from storefront import openapi

    return Response(200, openapi.document())
