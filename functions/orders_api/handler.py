"""Routes of the orders: POST /orders, GET /orders[/{order_id}], POST .../cancel."""

from __future__ import annotations

from storefront import orders
from storefront.errors import OrderNotFoundError
from storefront.http import Request, Response, Router
from storefront.models import CreateOrderRequest, OrderPage, OrderQuery
from storefront.repository import Repository

router = Router()
handle = router


@router.route("POST", "/orders")
def place_order(request: Request) -> Response:
    body = request.json_body(CreateOrderRequest)
    checkout = orders.place_order(Repository.default(), body, request.header("Idempotency-Key"))
    headers = {"Location": f"/orders/{checkout.order.order_id}"}
    if checkout.replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        orders.notify_worker(checkout.order)
    return Response(201, checkout.order, headers)


@router.route("GET", "/orders/{order_id}")
def get_order(request: Request) -> Response:
    order_id = request.path_parameters["order_id"]
    order = Repository.default().get_order(order_id)
    if order is None:
        raise OrderNotFoundError(f"no order {order_id!r}")
    return Response(200, order)


@router.route("GET", "/orders", admin=True)
def list_orders(request: Request) -> Response:
    query = request.query_model(OrderQuery)
    page = Repository.default().list_orders(query.status, query.limit, query.cursor)
    return Response(200, OrderPage(items=page.items, next_cursor=page.next_cursor))


@router.route("POST", "/orders/{order_id}/cancel", admin=True)
def cancel_order(request: Request) -> Response:
    return Response(
        200, orders.cancel_order(Repository.default(), request.path_parameters["order_id"])
    )
