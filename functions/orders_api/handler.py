"""Routes of the orders: POST /orders, GET /orders[/{order_id}], POST .../cancel.

Each route's declaration is its whole contract; the OpenAPI document is generated
from these declarations (see `storefront.openapi`).
"""

from __future__ import annotations

from storefront import orders
from storefront.errors import OrderNotFoundError
from storefront.http import Header, Reply, Request, Response, Router
from storefront.models import (
    CreateOrderRequest,
    Order,
    OrderHeaders,
    OrderPage,
    OrderPath,
    OrderQuery,
)
from storefront.repository import Repository

router = Router()
handle = router


@router.route(
    "POST",
    "/orders",
    summary="Place an order: stock is reserved for every line in one transaction",
    headers=OrderHeaders,
    body=CreateOrderRequest,
    replies={
        201: Reply(
            "Placed, or the first order of this Idempotency-Key",
            Order,
            headers=(
                Header("Location", "the order's URL: /orders/{order_id}"),
                Header(
                    "Idempotent-Replayed",
                    "'true' when this answers a retry with the same Idempotency-Key",
                    required=False,
                ),
            ),
        )
    },
    errors=(404, 409, 422),
)
def place_order(request: Request) -> Response:
    body = request.input(CreateOrderRequest)
    key = request.input(OrderHeaders).idempotency_key
    checkout = orders.place_order(Repository.default(), body, key)
    headers = {"Location": f"/orders/{checkout.order.order_id}"}
    if checkout.replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        orders.notify_worker(checkout.order)
    return Response(201, checkout.order, headers)


@router.route(
    "GET",
    "/orders/{order_id}",
    summary="Get an order",
    path=OrderPath,
    replies={200: Reply("The order", Order)},
    errors=(404,),
)
def get_order(request: Request) -> Response:
    order_id = request.input(OrderPath).order_id
    order = Repository.default().get_order(order_id)
    if order is None:
        raise OrderNotFoundError(f"no order {order_id!r}")
    return Response(200, order)


@router.route(
    "GET",
    "/orders",
    summary="List orders in one status, oldest first",
    admin=True,
    query=OrderQuery,
    replies={200: Reply("A page of orders", OrderPage)},
)
def list_orders(request: Request) -> Response:
    query = request.input(OrderQuery)
    page = Repository.default().list_orders(query.status, query.limit, query.cursor)
    return Response(200, OrderPage(items=page.items, next_cursor=page.next_cursor))


@router.route(
    "POST",
    "/orders/{order_id}/cancel",
    summary="Cancel a PENDING order and release its stock",
    admin=True,
    path=OrderPath,
    replies={200: Reply("The cancelled order", Order)},
    errors=(404, 409),
)
def cancel_order(request: Request) -> Response:
    order_id = request.input(OrderPath).order_id
    return Response(200, orders.cancel_order(Repository.default(), order_id))
