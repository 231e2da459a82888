"""The OpenAPI 3.1 document of the storefront API, generated from the pydantic models.

`OPERATIONS` describes every route: the routers of catalog_api and orders_api
serve exactly these (a unit test holds routers, this list and stack.yaml equal),
and the schemas come from the same models that validate requests, so the
document cannot drift from the code. Imported only by `GET /openapi.json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from storefront.models import (
    CreateOrderRequest,
    ErrorResponse,
    Order,
    OrderPage,
    OrderStatus,
    Product,
    ProductBody,
    ProductPage,
)


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "path", "query" or "header"
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    admin: bool = False
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    success: int = 200
    errors: tuple[int, ...] = ()
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)


_SKU = Parameter("sku", "path", {"type": "string"}, required=True)
_ORDER_ID = Parameter("order_id", "path", {"type": "string"}, required=True)
_LIMIT = Parameter("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100})
_CURSOR = Parameter("cursor", "query", {"type": "string"}, "next_cursor of the previous page")

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "/products",
        "List products, optionally of one category, by sku",
        response=ProductPage,
        errors=(400,),
        parameters=(Parameter("category", "query", {"type": "string"}), _LIMIT, _CURSOR),
    ),
    Operation(
        "GET",
        "/products/{sku}",
        "Get a product",
        response=Product,
        errors=(404,),
        parameters=(_SKU,),
    ),
    Operation(
        "PUT",
        "/products/{sku}",
        "Create (201) or replace (200) a product",
        admin=True,
        request=ProductBody,
        response=Product,
        errors=(400, 413),
        parameters=(_SKU,),
    ),
    Operation(
        "DELETE",
        "/products/{sku}",
        "Delete a product",
        admin=True,
        success=204,
        errors=(404,),
        parameters=(_SKU,),
    ),
    Operation("GET", "/openapi.json", "This document"),
    Operation(
        "POST",
        "/orders",
        "Place an order: stock is reserved for every line in one transaction",
        request=CreateOrderRequest,
        response=Order,
        success=201,
        errors=(400, 404, 409, 413, 422),
        parameters=(
            Parameter(
                "Idempotency-Key",
                "header",
                {"type": "string", "maxLength": 200},
                "a retry with the same key and body returns the first order (24 h)",
            ),
        ),
    ),
    Operation(
        "GET",
        "/orders/{order_id}",
        "Get an order",
        response=Order,
        errors=(404,),
        parameters=(_ORDER_ID,),
    ),
    Operation(
        "GET",
        "/orders",
        "List orders in one status, oldest first",
        admin=True,
        response=OrderPage,
        errors=(400,),
        parameters=(
            Parameter("status", "query", {"enum": [s.value for s in OrderStatus]}, required=True),
            _LIMIT,
            _CURSOR,
        ),
    ),
    Operation(
        "POST",
        "/orders/{order_id}/cancel",
        "Cancel a PENDING order and release its stock",
        admin=True,
        response=Order,
        errors=(404, 409),
        parameters=(_ORDER_ID,),
    ),
)

_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Invalid request",
    401: "Missing or invalid token",
    403: "Not in the admin group",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    422: "Idempotency-Key reused with a different body",
    503: "Busy; retry",
}


def _json(ref: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": ref}}


@cache
def document() -> dict[str, Any]:
    requests = {op.request for op in OPERATIONS if op.request is not None}
    outputs = {op.response for op in OPERATIONS if op.response is not None} | {ErrorResponse}
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "validation") for model in requests),
        *((model, "serialization") for model in outputs),
    ]
    refs, schemas = models_json_schema(wanted, ref_template="#/components/schemas/{model}")
    error = _json(refs[(ErrorResponse, "serialization")])
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        responses: dict[str, Any] = {str(op.success): {"description": _REASONS[op.success]}}
        if op.response is not None:
            responses[str(op.success)]["content"] = _json(refs[(op.response, "serialization")])
        elif op.path == "/openapi.json":
            responses[str(op.success)]["content"] = _json({"type": "object"})
        for status in (*op.errors, *((401, 403) if op.admin else ()), 503):
            responses[str(status)] = {"description": _REASONS[status], "content": error}
        operation: dict[str, Any] = {
            "operationId": re.sub(r"\W+", "_", f"{op.method} {op.path}".lower()).strip("_"),
            "summary": op.summary,
            "responses": responses,
        }
        if op.parameters:
            operation["parameters"] = [
                {
                    "name": p.name,
                    "in": p.where,
                    "required": p.required,
                    "schema": p.schema,
                    **({"description": p.description} if p.description else {}),
                }
                for p in op.parameters
            ]
        if op.request is not None:
            operation["requestBody"] = {
                "required": True,
                "content": _json(refs[(op.request, "validation")]),
            }
        if op.admin:
            operation["security"] = [{"cognito": []}]
        paths.setdefault(op.path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "WooCom storefront API",
            "version": "1.0.0",
            "description": 'Errors are {"error": {"code", "message", "details"?}}.',
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "an ID token of the Cognito user pool; admin routes "
                    "need the 'admin' group",
                }
            },
        },
    }
