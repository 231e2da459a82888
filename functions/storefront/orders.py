"""Order use cases: checkout, cancellation, confirmation, expiry and re-drive.

Handlers call these with a Repository; every state change is a conditional write
(see storefront.repository), so running any of them twice, or concurrently with
another, never double-counts stock or moves an order backwards.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from botocore.exceptions import BotoCoreError, ClientError

from storefront import aws, logs, settings
from storefront.errors import (
    CurrencyMismatchError,
    IdempotencyKeyReusedError,
    InvalidRequestError,
    OrderNotCancellableError,
    OrderNotFoundError,
    PaymentDeclinedError,
    ProductNotFoundError,
    ServiceBusyError,
)
from storefront.models import (
    CreateOrderRequest,
    Order,
    OrderLine,
    OrderMessage,
    OrderStatus,
    utcnow,
)
from storefront.payments import PaymentProvider
from storefront.repository import IdempotencyConflictError, IdempotencyRecord, Repository

log = logs.get_logger(__name__)

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def request_fingerprint(request: CreateOrderRequest) -> str:
    """Same validated request, same fingerprint (an Idempotency-Key replays only its own)."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


@dataclass(frozen=True)
class Checkout:
    order: Order
    replayed: bool  # True: the Idempotency-Key was seen before and this is the first result


def place_order(
    repo: Repository,
    request: CreateOrderRequest,
    idempotency_key: str | None,
    now: datetime | None = None,
) -> Checkout:
    """Price the lines from the catalog and commit stock + order in one transaction."""
    # Checked before anything is written: a committed order must be able to reach the queue.
    settings.current().require_orders_queue()
    now = now or utcnow()
    fingerprint = request_fingerprint(request)
    if idempotency_key is not None:
        if not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise InvalidRequestError(
                "the Idempotency-Key header must be 1 to 200 visible ASCII characters "
                "(a UUID is a good choice)"
            )
        seen = repo.get_idempotency(idempotency_key, now)
        if seen is not None:
            return _replay(repo, seen, fingerprint)

    skus = [line.sku for line in request.items]
    products = repo.get_products(skus)
    missing = [sku for sku in skus if sku not in products]
    if missing:
        raise ProductNotFoundError(f"unknown sku: {', '.join(missing)}", {"skus": missing})
    currencies = sorted({products[sku].currency for sku in skus})
    if len(currencies) > 1:
        raise CurrencyMismatchError(
            f"these products are priced in different currencies ({', '.join(currencies)}); "
            "order them separately",
            {"currencies": currencies},
        )
    lines = [
        OrderLine(sku=line.sku, quantity=line.quantity, unit_price=products[line.sku].price)
        for line in request.items
    ]
    order = Order(
        order_id=uuid.uuid4().hex,
        status=OrderStatus.PENDING,
        email=request.email,
        items=lines,
        total=sum((line.unit_price * line.quantity for line in lines), Decimal(0)),
        currency=currencies[0],
        created_at=now,
        updated_at=now,
    )
    claim = (
        IdempotencyRecord(idempotency_key, fingerprint, order.order_id)
        if idempotency_key is not None
        else None
    )
    try:
        repo.create_order(order, claim)
    except IdempotencyConflictError as conflict:
        # A concurrent request with the same key committed first: answer with its order.
        seen = repo.get_idempotency(conflict.key, now)
        if seen is None:
            raise ServiceBusyError("a request with this Idempotency-Key is in flight") from None
        return _replay(repo, seen, fingerprint)
    log.info("order placed", extra={"order_id": order.order_id, "total": str(order.total)})
    return Checkout(order, replayed=False)


def _replay(repo: Repository, seen: IdempotencyRecord, fingerprint: str) -> Checkout:
    if seen.request_hash != fingerprint:
        raise IdempotencyKeyReusedError(
            "this Idempotency-Key was already used for a different order; "
            "use a new key for a new order"
        )
    order = repo.get_order(seen.order_id)
    if order is None:  # only if someone deleted the order item by hand
        raise OrderNotFoundError(f"order {seen.order_id} of this Idempotency-Key is gone")
    log.info("idempotent replay", extra={"order_id": order.order_id})
    return Checkout(order, replayed=True)


def notify_worker(order: Order) -> bool:
    """Put the order on the worker's queue. A failure is logged, not raised: the order is
    committed and stays PENDING, and expire_orders re-drives it (the outbox is the
    status index)."""
    try:
        aws.sqs().send_message(
            QueueUrl=settings.current().require_orders_queue(),
            MessageBody=OrderMessage(order_id=order.order_id).model_dump_json(),
            MessageAttributes={
                "correlation_id": {
                    "DataType": "String",
                    "StringValue": logs.correlation_id() or order.order_id,
                }
            },
        )
    except (BotoCoreError, ClientError) as exc:
        log.warning(
            "could not enqueue the order; expire_orders will re-drive it",
            extra={"order_id": order.order_id, "error": str(exc)},
        )
        return False
    return True


def cancel_order(repo: Repository, order_id: str, now: datetime | None = None) -> Order:
    """Admin cancellation: PENDING -> CANCELLED with the stock released."""
    now = now or utcnow()
    order = repo.get_order(order_id)
    if order is None:
        raise OrderNotFoundError(f"no order {order_id}")
    if order.status is OrderStatus.PENDING and repo.release_order(
        order, OrderStatus.CANCELLED, now
    ):
        log.info("order cancelled", extra={"order_id": order_id})
        return order.model_copy(update={"status": OrderStatus.CANCELLED, "updated_at": now})
    current = repo.get_order(order_id) or order
    raise OrderNotCancellableError(
        f"order {order_id} is {current.status}; only PENDING orders can be cancelled",
        {"status": str(current.status)},
    )


# Statuses an order reaches only after its charge was recorded on it.
_PAID_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.FULFILLED})


def confirm_order(
    repo: Repository, provider: PaymentProvider, order_id: str, now: datetime | None = None
) -> str:
    """The worker's step: charge and confirm a PENDING order. Returns what happened:
    "confirmed", "declined" (cancelled, stock released), "skipped" (not PENDING any more,
    or confirmed by a concurrent copy of the message with this same charge) or "refunded"
    (it expired or was cancelled while being charged). PaymentUnavailableError propagates,
    so the message is retried."""
    now = now or utcnow()
    order = repo.get_order(order_id)
    if order is None:
        raise OrderNotFoundError(f"no order {order_id}")
    if order.status is not OrderStatus.PENDING:
        log.info("order already handled", extra={"order_id": order_id, "status": order.status})
        return "skipped"
    try:
        reference = provider.charge(order)
    except PaymentDeclinedError as exc:
        repo.release_order(order, OrderStatus.CANCELLED, now)
        log.info("payment declined", extra={"order_id": order_id, "reason": str(exc)})
        return "declined"
    if repo.set_status(
        order, OrderStatus.PENDING, OrderStatus.CONFIRMED, now, payment_reference=reference
    ):
        log.info("order confirmed", extra={"order_id": order_id})
        return "confirmed"
    # The order left PENDING while it was being charged. Another copy of this message (SQS
    # delivers at least once, the sweep re-drives) may have confirmed it with this very
    # charge: refunding then would leave a CONFIRMED order unpaid. Refund only a charge
    # that no order holds.
    current = repo.get_order(order_id)
    if (
        current is not None
        and current.status in _PAID_STATUSES
        and current.payment_reference == reference
    ):
        log.info(
            "order already confirmed by a concurrent copy of this message",
            extra={"order_id": order_id, "status": current.status},
        )
        return "skipped"
    provider.refund(order, reference)
    log.warning(
        "order left PENDING while being charged; refunded",
        extra={"order_id": order_id, "status": current.status if current else None},
    )
    return "refunded"


@dataclass
class Sweep:
    expired: int = 0
    redriven: int = 0
    redrive_failed: int = 0
    stopped_early: bool = False


def sweep_pending_orders(
    repo: Repository,
    max_age: timedelta,
    redrive_after: timedelta,
    now: datetime | None = None,
    time_is_up: Callable[[], bool] = lambda: False,
) -> Sweep:
    """Re-send to the queue the PENDING orders older than `redrive_after` (the worker never
    heard of them if the API's enqueue failed), then expire those older than `max_age`
    (stock released, one transaction each). `time_is_up` stops early; the next run
    continues.

    Re-drive comes first: it is cheap and bounded (orders of the last `max_age` only),
    while an expiry backlog can be huge; a fresh order must not wait behind it, and an
    expiry that waits one more run only keeps its stock reserved a little longer."""
    now = now or utcnow()
    sweep = Sweep()
    for order in repo.pending_orders(
        created_before=now - redrive_after, created_after=now - max_age
    ):
        if time_is_up():
            sweep.stopped_early = True
            return sweep
        if notify_worker(order):
            sweep.redriven += 1
        else:
            sweep.redrive_failed += 1
    for order in repo.pending_orders(created_before=now - max_age):
        if time_is_up():
            sweep.stopped_early = True
            return sweep
        if repo.release_order(order, OrderStatus.EXPIRED, now):
            sweep.expired += 1
            log.info("order expired", extra={"order_id": order.order_id})
    return sweep
