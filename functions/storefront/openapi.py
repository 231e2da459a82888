"""The OpenAPI 3.1 document of the storefront API, generated from the routers.

Each route's declaration in its handler module (`Router.route`) carries the whole
contract: summary, path/query/header/body models, success statuses with their
bodies and headers, and errors. `document` turns the routers into the document,
its schemas coming from the same pydantic models that validate requests.

A function's zip holds only its own routes, so the document is generated ahead of
time into `openapi.json` beside this module, which `GET /openapi.json` serves; a
unit test fails when the file differs from what the routers declare. Regenerate:

    PYTHONPATH=functions python -m storefront.openapi catalog_api orders_api
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from storefront.http import Route, Router
from storefront.models import ErrorResponse

SERVED = Path(__file__).with_name("openapi.json")

_ERRORS = {
    400: "Invalid request: the message and `details` name what is wrong",
    401: "Missing or invalid token",
    403: "Not in the admin group",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    422: "Idempotency-Key reused with a different body",
    503: "Busy; retry after Retry-After seconds",
}
_CORRELATION = {
    "X-Correlation-Id": {
        "description": "the caller's X-Correlation-Id when valid, else the request id; "
        "quote it when reporting a problem",
        "required": True,
        "schema": {"type": "string"},
    }
}
_PLACES = (("path", "path"), ("headers", "header"), ("query", "query"))


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional parameter is absent or a value; it is never null on the wire."""
    options = schema.get("anyOf")
    if isinstance(options, list):
        values = [option for option in options if option != {"type": "null"}]
        if len(values) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**values[0], **rest}
    return schema


def _parameters(route: Route, schemas: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for attribute, where in _PLACES:
        model: type[BaseModel] | None = getattr(route, attribute)
        if model is None:
            continue
        schema = schemas[model.__name__]
        required = set(schema.get("required", ()))
        for name, prop in schema.get("properties", {}).items():
            prop = _not_null(dict(prop))
            description = prop.pop("description", None)
            prop.pop("title", None)
            if prop.get("default", 0) is None:
                del prop["default"]
            found.append(
                {
                    "name": name,
                    "in": where,
                    "required": where == "path" or name in required,
                    "schema": prop,
                    **({"description": description} if description else {}),
                }
            )
    return found


def _operation(route: Route, refs: dict[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, reply in sorted(route.replies.items()):
        headers = dict(_CORRELATION)
        for header in reply.headers:
            headers[header.name] = {
                "description": header.description,
                "required": header.required,
                "schema": {"type": "string"},
            }
        answer: dict[str, Any] = {"description": reply.description, "headers": headers}
        if reply.body is not None:
            answer["content"] = _json(refs[(reply.body, "serialization")])
        elif route.resource == "/openapi.json":
            answer["content"] = _json({"type": "object"})
        responses[str(status)] = answer
    error = _json(refs[(ErrorResponse, "serialization")])
    for status in route.error_statuses():
        headers = dict(_CORRELATION)
        if status in (401, 403):
            # Also answered by API Gateway's Cognito authorizer, which sets no such header.
            headers["X-Correlation-Id"] = {**_CORRELATION["X-Correlation-Id"], "required": False}
        if status == 503:
            headers["Retry-After"] = {
                "description": "seconds to wait",
                "required": True,
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }
        responses[str(status)] = {
            "description": _ERRORS[status],
            "headers": headers,
            "content": error,
        }
    operation: dict[str, Any] = {
        "operationId": route.action,
        "summary": route.summary,
        "responses": responses,
    }
    parameters = _parameters(route, schemas)
    if parameters:
        operation["parameters"] = parameters
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": _json(refs[(route.body, "validation")]),
        }
    if route.admin:
        operation["security"] = [{"cognito": []}]
    return operation


def document(routers: Iterable[Router]) -> dict[str, Any]:
    """The OpenAPI document of every route of `routers`."""
    routes = sorted(
        (route for router in routers for route in router.routes.values()),
        key=lambda r: (r.resource, r.method),
    )
    inputs = {
        model
        for route in routes
        for model in (route.path, route.query, route.headers, route.body)
        if model is not None
    }
    outputs = {reply.body for route in routes for reply in route.replies.values() if reply.body} | {
        ErrorResponse
    }
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "validation") for model in sorted(inputs, key=lambda m: m.__name__)),
        *((model, "serialization") for model in sorted(outputs, key=lambda m: m.__name__)),
    ]
    refs, definitions = models_json_schema(wanted, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.resource, {})[route.method.lower()] = _operation(
            route, refs, schemas
        )
    # Parameter models are spelled out as parameters; they are not bodies of their own.
    for route in routes:
        for model in (route.path, route.query, route.headers):
            if model is not None:
                schemas.pop(model.__name__, None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "WooCom storefront API",
            "version": "1.0.0",
            "description": 'Errors are {"error": {"code", "message", "details"?}}. '
            'Amounts are decimal strings ("12.99"), never JSON numbers.',
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
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


def render(routers: Iterable[Router]) -> str:
    """The document as the text of openapi.json."""
    return json.dumps(document(routers), indent=1, ensure_ascii=False) + "\n"


@cache
def served() -> dict[str, Any]:
    """The generated document, as GET /openapi.json answers it."""
    loaded: dict[str, Any] = json.loads(SERVED.read_text(encoding="utf-8"))
    return loaded


def routers_of(functions: Sequence[str]) -> list[Router]:
    """The routers of the named API functions (their handler modules' `router`)."""
    found = []
    for name in functions:
        router = importlib.import_module(f"{name}.handler").router
        if not isinstance(router, Router):
            raise TypeError(f"{name}.handler.router is not a storefront Router")
        found.append(router)
    return found


def main(argv: Sequence[str]) -> int:
    if not argv:
        print("usage: python -m storefront.openapi <api function>...", file=sys.stderr)
        return 2
    SERVED.write_text(render(routers_of(argv)), encoding="utf-8")
    print(f"wrote {SERVED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
