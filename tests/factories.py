"""Test factories: real Lambda event shapes (from woocom.events) and sample domain data.

Tests say what they mean (`api_event("PUT", "/products/{sku}", sku="MUG-1", body=...,
claims=ADMIN)`) instead of hand-typing event dicts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from storefront.models import Order, OrderLine, OrderStatus
from woocom import events

ADMIN: dict[str, Any] = {"sub": "admin-1", "cognito:groups": "admin", "email": "a@woocom.test"}
SHOPPER: dict[str, Any] = {"sub": "shopper-1", "cognito:groups": "", "email": "s@woocom.test"}


def api_event(
    method: str,
    resource: str,
    *,
    query: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    body: events.Body | None = None,
    claims: Mapping[str, Any] | None = None,
    **path_parameters: str,
) -> dict[str, Any]:
    """A REST v1 proxy event for `resource` ("/products/{sku}") with its parameters filled."""
    path = re.sub(r"\{(\w+)\}", lambda m: path_parameters[m[1]], resource)
    return events.api_gateway_event(
        method,
        path,
        resource=resource,
        path_parameters=path_parameters or None,
        query=query,
        headers=headers,
        body=body,
        claims=claims,
        stage="test",
    )


def sqs_event(*messages: str | Mapping[str, Any]) -> dict[str, Any]:
    """A batch of bodies, or of messages as ReceiveMessage returned them."""
    return events.sqs_event(list(messages))


def s3_put_event(bucket: str, *keys: str) -> dict[str, Any]:
    return events.s3_event(bucket, list(keys))


def scheduled_event() -> dict[str, Any]:
    return events.scheduled_event()


def context(function: str = "test", timeout: float = 30.0) -> events.LambdaContext:
    return events.lambda_context(function, timeout)


def product(**overrides: Any) -> dict[str, Any]:
    """A valid PUT /products body (no sku: it comes from the path)."""
    return {
        "name": "Enamel mug",
        "description": "Holds 350 ml.",
        "category": "kitchen",
        "price": "12.99",
        "currency": "EUR",
        "stock": 10,
        **overrides,
    }


def order(*lines: tuple[str, int], email: str = "shopper@woocom.test") -> dict[str, Any]:
    """A POST /orders body: order(("MUG-1", 2), ("TEA-1", 1))."""
    return {"email": email, "items": [{"sku": sku, "quantity": qty} for sku, qty in lines]}


def pending_order(
    *lines: tuple[str, int, str], order_id: str | None = None, email: str = "a@b.co"
) -> Order:
    """A PENDING EUR order as checkout builds it: pending_order(("MUG-1", 2, "12.99"))."""
    now = datetime.now(UTC)
    items = [
        OrderLine(sku=sku, quantity=quantity, unit_price=Decimal(price))
        for sku, quantity, price in lines
    ]
    return Order(
        order_id=order_id or uuid.uuid4().hex,
        status=OrderStatus.PENDING,
        email=email,
        items=items,
        total=sum((line.unit_price * line.quantity for line in items), Decimal(0)),
        currency="EUR",
        created_at=now,
        updated_at=now,
    )
