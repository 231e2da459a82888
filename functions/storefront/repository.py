"""The DynamoDB adapter: the only code that touches the table.

Single-table design (functions/README.md has the full picture):

| item        | pk                | sk          | gsi1pk / gsi1sk                  | gsi2pk/sk     |
|-------------|-------------------|-------------|----------------------------------|---------------|
| product     | PRODUCT#<sku>     | PRODUCT     | CATEGORY#<category> / <sku>      | PRODUCT/<sku> |
| order       | ORDER#<id>        | ORDER       | ORDER_STATUS#<s> / <created>#<id> | -            |
| idempotency | IDEMPOTENCY#<key> | IDEMPOTENCY | -                                | -             |
| import run  | IMPORT#<bucket>/<key> | RUN#<run> | -                              | -             |

Every read on a request path is a GetItem, BatchGetItem or Query; nothing scans.
Models go in, models come out: the item layout never leaks past this module.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel

from storefront import attributes, aws, settings
from storefront.errors import (
    InsufficientStockError,
    InvalidCursorError,
    PriceChangedError,
    ProductNotFoundError,
    ServiceBusyError,
)
from storefront.logs import get_logger
from storefront.models import Order, OrderStatus, Product, iso_utc

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

log = get_logger(__name__)

Item = dict[str, Any]  # attribute name -> DynamoDB AttributeValue ({"S": ...}, {"N": ...})
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# BatchWriteItem and BatchGetItem limits.
_WRITE_BATCH = 25
_READ_BATCH = 100
_TRANSACTION_ATTEMPTS = 4
_BATCH_ATTEMPTS = 8
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
_TABLE_KEYS = ("pk", "sk")
_INDEX_KEYS = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("gsi2pk", "gsi2sk")}


def _to_item(values: Mapping[str, Any]) -> Item:
    return {k: attributes.serialize(v) for k, v in values.items() if v is not None}


def _from_item(item: Mapping[str, Any], model: type[M]) -> M:
    values = {k: attributes.deserialize(v) for k, v in item.items() if k in model.model_fields}
    return model.model_validate(values)


def _product_key(sku: str) -> Item:
    return _to_item({"pk": f"PRODUCT#{sku}", "sk": "PRODUCT"})


def _order_key(order_id: str) -> Item:
    return _to_item({"pk": f"ORDER#{order_id}", "sk": "ORDER"})


def _idempotency_key(key: str) -> Item:
    return _to_item({"pk": f"IDEMPOTENCY#{key}", "sk": "IDEMPOTENCY"})


def _import_key(source: str, run: str) -> Item:
    return _to_item({"pk": f"IMPORT#{source}", "sk": f"RUN#{run}"})


def _import_run(item: Mapping[str, Any]) -> ImportRun:
    values = {k: attributes.deserialize(v) for k, v in item.items()}
    return ImportRun(
        segment=int(values.get("run_segment", 0)),
        state_key=values.get("state_key"),
        done=bool(values.get("run_done", False)),
        lease_owner=values.get("lease_owner"),
    )


def _product_item(product: Product, now: datetime) -> Item:
    return _product_key(product.sku) | _to_item(
        {
            "type": "product",
            "gsi1pk": f"CATEGORY#{product.category}",
            "gsi1sk": product.sku,
            "gsi2pk": "PRODUCT",
            "gsi2sk": product.sku,
            "updated_at": iso_utc(now),
            **product.model_dump(),
        }
    )


def _status_index(status: OrderStatus, order: Order) -> dict[str, str]:
    return {
        "gsi1pk": f"ORDER_STATUS#{status}",
        "gsi1sk": f"{iso_utc(order.created_at)}#{order.order_id}",
    }


def _order_item(order: Order) -> Item:
    values = order.model_dump()
    values["status"] = str(order.status)
    values["created_at"] = iso_utc(order.created_at)
    values["updated_at"] = iso_utc(order.updated_at)
    return _order_key(order.order_id) | _to_item(
        {
            "type": "order",
            **_status_index(order.status, order),
            **values,
        }
    )


# --- cursors ----------------------------------------------------------------------------


def encode_cursor(key: Mapping[str, Any]) -> str:
    """An opaque, URL-safe token for LastEvaluatedKey (all our key attributes are strings)."""
    plain = {name: value["S"] for name, value in key.items()}
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, index: str, partition: str) -> Item:
    """The ExclusiveStartKey inside `cursor`, which must come from the same listing."""
    names = {*_TABLE_KEYS, *_INDEX_KEYS[index]}
    problem = "the cursor is not one this listing returned; start again without ?cursor="
    if len(cursor) > 2048:  # before decoding: an oversized token costs nothing to refuse
        raise InvalidCursorError(problem)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise InvalidCursorError(problem) from None
    if (
        not isinstance(plain, dict)
        or set(plain) != names
        or not all(isinstance(v, str) and 0 < len(v) <= 1024 for v in plain.values())
        or plain[_INDEX_KEYS[index][0]] != partition
    ):
        raise InvalidCursorError(problem)
    return _to_item(plain)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


class TransactionCancelledError(Exception):
    """A transaction failed a condition; `reasons` has one entry per item, in order."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__([r.get("Code") for r in reasons])
        self.reasons = reasons

    def failed(self, index: int) -> bool:
        return self.reasons[index].get("Code") not in (None, "None")

    def old_item(self, index: int) -> dict[str, Any] | None:
        item = self.reasons[index].get("Item")
        return {k: attributes.deserialize(v) for k, v in item.items()} if item else None


@dataclass(frozen=True)
class ImportRun:
    """Where one CSV import stands: `segment` counts the checkpoints taken so far and
    `state_key` names the S3 object holding the progress of the last one (None at start)."""

    segment: int
    state_key: str | None
    done: bool
    lease_owner: str | None


IMPORT_TTL_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    request_hash: str
    order_id: str


class Repository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @classmethod
    def default(cls) -> Repository:
        """The repository on this function's table (TABLE_MAIN_NAME)."""
        return cls(aws.dynamodb(), settings.current().require_table())

    # --- products -----------------------------------------------------------------------

    def get_product(self, sku: str) -> Product | None:
        found = self._client.get_item(
            TableName=self._table, Key=_product_key(sku), ConsistentRead=True
        )
        return _from_item(found["Item"], Product) if "Item" in found else None

    def get_products(self, skus: Sequence[str]) -> dict[str, Product]:
        """The products among `skus` that exist (consistent reads, in batches)."""
        found: dict[str, Product] = {}
        for start in range(0, len(skus), _READ_BATCH):
            keys: list[Item] = [_product_key(sku) for sku in skus[start : start + _READ_BATCH]]
            attempt = 0
            while keys:
                answer = self._client.batch_get_item(
                    RequestItems={self._table: {"Keys": keys, "ConsistentRead": True}}
                )
                for item in answer["Responses"].get(self._table, []):
                    product = _from_item(item, Product)
                    found[product.sku] = product
                unprocessed = answer.get("UnprocessedKeys", {})
                keys = list(unprocessed[self._table]["Keys"]) if self._table in unprocessed else []
                attempt = _backoff(attempt) if keys else 0
        return found

    def put_product(self, product: Product, now: datetime) -> bool:
        """Create or replace; True when the product did not exist before."""
        answer = self._client.put_item(
            TableName=self._table, Item=_product_item(product, now), ReturnValues="ALL_OLD"
        )
        return "Attributes" not in answer

    def put_products(self, products: Sequence[Product], now: datetime) -> None:
        """Upsert many products with BatchWriteItem, retrying what DynamoDB leaves unprocessed.

        The caller passes each sku at most once per call (DynamoDB refuses duplicates).
        """
        for start in range(0, len(products), _WRITE_BATCH):
            requests: list[Any] = [
                {"PutRequest": {"Item": _product_item(p, now)}}
                for p in products[start : start + _WRITE_BATCH]
            ]
            attempt = 0
            while requests:
                answer = self._client.batch_write_item(RequestItems={self._table: requests})
                requests = list(answer.get("UnprocessedItems", {}).get(self._table, []))
                attempt = _backoff(attempt) if requests else 0

    def delete_product(self, sku: str) -> bool:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_product_key(sku),
                ConditionExpression="attribute_exists(pk)",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def list_products(self, category: str | None, limit: int, cursor: str | None) -> Page[Product]:
        """By category on gsi1, or every product on gsi2; both ordered by sku."""
        if category is None:
            return self._page("gsi2", "PRODUCT", limit, cursor, Product)
        return self._page("gsi1", f"CATEGORY#{category}", limit, cursor, Product)

    # --- orders -------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order | None:
        found = self._client.get_item(
            TableName=self._table, Key=_order_key(order_id), ConsistentRead=True
        )
        return _from_item(found["Item"], Order) if "Item" in found else None

    def list_orders(self, status: OrderStatus, limit: int, cursor: str | None) -> Page[Order]:
        """Orders in `status`, oldest first (gsi1)."""
        return self._page("gsi1", f"ORDER_STATUS#{status}", limit, cursor, Order)

    def get_idempotency(self, key: str, now: datetime) -> IdempotencyRecord | None:
        found = self._client.get_item(
            TableName=self._table, Key=_idempotency_key(key), ConsistentRead=True
        )
        if "Item" not in found:
            return None
        values = {k: attributes.deserialize(v) for k, v in found["Item"].items()}
        # TTL deletion lags by up to days: an expired record is treated as gone.
        if values["expires_at"] < Decimal(int(now.timestamp())):
            return None
        return IdempotencyRecord(key, str(values["request_hash"]), str(values["order_id"]))

    def create_order(self, order: Order, idempotency: IdempotencyRecord | None) -> None:
        """Reserve the stock of every line, write the order and the idempotency record: one
        transaction, so either all of it happens or none.

        Raises ProductNotFoundError / InsufficientStockError / PriceChangedError naming
        every offending sku, or IdempotencyConflictError when the key was claimed first.
        """
        now = iso_utc(order.created_at)
        items: list[Any] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": _product_key(line.sku),
                    "UpdateExpression": "SET stock = stock - :quantity, updated_at = :now",
                    # The condition is what makes overselling impossible under concurrency.
                    "ConditionExpression": (
                        "attribute_exists(pk) AND stock >= :quantity AND price = :price"
                    ),
                    "ExpressionAttributeValues": _to_item(
                        {":quantity": line.quantity, ":price": line.unit_price, ":now": now}
                    ),
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            for line in order.items
        ]
        items.append(
            {
                "Put": {
                    "TableName": self._table,
                    "Item": _order_item(order),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        )
        if idempotency is not None:
            created = int(order.created_at.timestamp())
            items.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": _idempotency_key(idempotency.key)
                        | _to_item(
                            {
                                "type": "idempotency",
                                "request_hash": idempotency.request_hash,
                                "order_id": idempotency.order_id,
                                "expires_at": created + IDEMPOTENCY_TTL_SECONDS,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
                        "ExpressionAttributeValues": _to_item({":now": created}),
                    }
                }
            )
        try:
            self._transact(items)
        except TransactionCancelledError as cancelled:
            if self._committed_before(order, cancelled):
                return
            if idempotency is not None and cancelled.failed(len(items) - 1):
                raise IdempotencyConflictError(idempotency.key) from None
            _explain_checkout_failure(order, cancelled)
            raise

    def _committed_before(self, order: Order, cancelled: TransactionCancelledError) -> bool:
        """Whether a cancelled checkout is the SDK's re-send of one that had committed.

        botocore retries a TransactWriteItems whose response it lost (a read timeout
        under load); the retry then fails only on the order's own `attribute_not_exists`
        (and on its idempotency record), while every stock line would have passed. The
        order id is a fresh UUID of this request, so an order under it is this one.
        """
        order_index = len(order.items)
        lines_passed = not any(cancelled.failed(i) for i in range(order_index))
        if not (lines_passed and cancelled.failed(order_index)):
            return False
        stored = self.get_order(order.order_id)
        return stored is not None and stored.created_at == order.created_at

    def set_status(
        self,
        order: Order,
        expected: OrderStatus,
        status: OrderStatus,
        now: datetime,
        payment_reference: str | None = None,
    ) -> bool:
        """Move an order from `expected` to `status`; False when it was no longer `expected`."""
        update = self._status_update(order, expected, status, now, payment_reference)
        try:
            self._client.update_item(**update)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release_order(self, order: Order, status: OrderStatus, now: datetime) -> bool:
        """PENDING -> `status` (CANCELLED or EXPIRED) and the stock of every line back, in
        one transaction. False when the order was no longer PENDING (nothing changed).

        Lines whose product was deleted since are skipped: there is no stock to return to.
        """
        order_update = self._status_update(order, OrderStatus.PENDING, status, now)
        for _ in range(_TRANSACTION_ATTEMPTS):
            existing = self.get_products([line.sku for line in order.items])
            items: list[Any] = [{"Update": order_update}]
            items.extend(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": _product_key(line.sku),
                        "UpdateExpression": "SET stock = stock + :quantity, updated_at = :now",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": _to_item(
                            {":quantity": line.quantity, ":now": iso_utc(now)}
                        ),
                    }
                }
                for line in order.items
                if line.sku in existing
            )
            try:
                self._transact(items)
            except TransactionCancelledError as cancelled:
                if cancelled.failed(0):
                    # Lost to another writer, or our own commit re-sent by the SDK after
                    # its response was lost: then the order carries our status and time.
                    stored = self.get_order(order.order_id)
                    return stored is not None and (
                        stored.status is status and iso_utc(stored.updated_at) == iso_utc(now)
                    )
                # A product was deleted between the read and the transaction: read again.
                continue
            return True
        raise ServiceBusyError("the catalog kept changing while releasing stock; retry")

    def pending_orders(
        self, created_before: datetime, created_after: datetime | None = None
    ) -> Iterator[Order]:
        """PENDING orders created in [created_after, created_before), oldest first."""
        condition = "gsi1pk = :pk AND gsi1sk < :before"
        values: dict[str, Any] = {
            ":pk": f"ORDER_STATUS#{OrderStatus.PENDING}",
            ":before": iso_utc(created_before),
        }
        if created_after is not None:
            condition = "gsi1pk = :pk AND gsi1sk BETWEEN :after AND :before"
            values[":after"] = iso_utc(created_after)
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": _to_item(values),
        }
        # Page by page by hand: a paginator would load botocore's paginator model for the
        # service on every cold start (~4 ms) to do the same LastEvaluatedKey loop.
        while True:
            page = self._client.query(**query)
            for item in page["Items"]:
                yield _from_item(item, Order)
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # --- import runs --------------------------------------------------------------------
    #
    # One item per (file, run) is the lease and the checkpoint pointer of a CSV import:
    # the invocation that holds the lease is the only one importing rows, so overlapping
    # deliveries of the same S3 event never import a row twice, and a checkpoint moves
    # forward only from the segment its writer started from.

    def get_import(self, source: str, run: str) -> ImportRun | None:
        found = self._client.get_item(
            TableName=self._table, Key=_import_key(source, run), ConsistentRead=True
        )
        return _import_run(found["Item"]) if "Item" in found else None

    def claim_import(
        self, source: str, run: str, owner: str, now: datetime, until: datetime
    ) -> ImportRun | None:
        """Take the lease of this run until `until` (created at segment 0 the first time).

        None when another invocation holds a lease that has not run out, or the run is
        done: the caller leaves it alone. The same owner may claim again (Lambda keeps
        the request id when it retries an asynchronous invocation)."""
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=_import_key(source, run),
                UpdateExpression=(
                    "SET lease_owner = :owner, lease_until = :until, updated_at = :now, "
                    "#type = :type, run_segment = if_not_exists(run_segment, :zero), "
                    "expires_at = if_not_exists(expires_at, :expires)"
                ),
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (attribute_not_exists(run_done) AND "
                    "(lease_until < :now_epoch OR lease_owner = :owner))"
                ),
                ExpressionAttributeNames={"#type": "type"},
                ExpressionAttributeValues=_to_item(
                    {
                        ":owner": owner,
                        ":until": int(until.timestamp()),
                        ":now": iso_utc(now),
                        ":now_epoch": int(now.timestamp()),
                        ":type": "import",
                        ":zero": 0,
                        ":expires": int(now.timestamp()) + IMPORT_TTL_SECONDS,
                    }
                ),
                ReturnValues="ALL_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return _import_run(answer["Attributes"])

    def advance_import(
        self,
        source: str,
        run: str,
        owner: str,
        segment: int,
        state_key: str,
        now: datetime,
        *,
        done: bool = False,
    ) -> bool:
        """Checkpoint `segment` -> `segment + 1` (state in `state_key`) and give the lease
        back; with `done`, mark the run finished. False when this owner lost the lease."""
        update = (
            "SET run_segment = :next, state_key = :state_key, lease_until = :zero, "
            "updated_at = :now"
        )
        values: dict[str, Any] = {
            ":next": segment + 1,
            ":segment": segment,
            ":owner": owner,
            ":state_key": state_key,
            ":zero": 0,
            ":now": iso_utc(now),
        }
        if done:
            update += ", run_done = :true"
            values[":true"] = True
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_import_key(source, run),
                UpdateExpression=update,
                ConditionExpression="run_segment = :segment AND lease_owner = :owner",
                ExpressionAttributeValues=_to_item(values),
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    # --- plumbing -----------------------------------------------------------------------

    def _status_update(
        self,
        order: Order,
        expected: OrderStatus,
        status: OrderStatus,
        now: datetime,
        payment_reference: str | None = None,
    ) -> dict[str, Any]:
        """The conditional `expected` -> `status` update of an order, with its status index
        moved along: the arguments of UpdateItem, or of a transaction's Update."""
        values: dict[str, Any] = {
            ":expected": str(expected),
            ":status": str(status),
            ":now": iso_utc(now),
            **{f":{k}": v for k, v in _status_index(status, order).items()},
        }
        update = "SET #status = :status, updated_at = :now, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk"
        if payment_reference is not None:
            update += ", payment_reference = :payment_reference"
            values[":payment_reference"] = payment_reference
        return {
            "TableName": self._table,
            "Key": _order_key(order.order_id),
            "UpdateExpression": update,
            "ConditionExpression": "#status = :expected",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": _to_item(values),
        }

    def _page(
        self, index: str, partition: str, limit: int, cursor: str | None, model: type[M]
    ) -> Page[M]:
        hash_key, _ = _INDEX_KEYS[index]
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": hash_key},
            "ExpressionAttributeValues": _to_item({":pk": partition}),
            # One more than asked: whether it comes back tells if there is a next page,
            # so the last page never carries a cursor to an empty one.
            "Limit": limit + 1,
        }
        if cursor is not None:
            query["ExclusiveStartKey"] = decode_cursor(cursor, index, partition)
        items = self._client.query(**query)["Items"]
        next_cursor = None
        if len(items) > limit:
            last = items[limit - 1]
            next_cursor = encode_cursor({k: last[k] for k in (*_TABLE_KEYS, *_INDEX_KEYS[index])})
        return Page([_from_item(item, model) for item in items[:limit]], next_cursor)

    def _transact(self, items: list[Any]) -> None:
        """TransactWriteItems, retried with jitter when it only lost a race to another one."""
        for attempt in range(_TRANSACTION_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)
            except self._client.exceptions.TransactionCanceledException as exc:
                reasons: list[dict[str, Any]] = [
                    dict(r) for r in exc.response.get("CancellationReasons", [])
                ]
                codes = {r.get("Code") for r in reasons}
                if "ConditionalCheckFailed" in codes:
                    raise TransactionCancelledError(reasons) from None
                if codes & {"TransactionConflict", "ThrottlingError"}:
                    log.info("transaction conflict, retrying", extra={"attempt": attempt + 1})
                    _backoff(attempt)
                    continue
                raise
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionConflictException":
                    raise
                _backoff(attempt)
                continue
            return
        raise ServiceBusyError("too many concurrent updates to the same items; retry shortly")


class IdempotencyConflictError(Exception):
    """Another request claimed this Idempotency-Key first; replay its result."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _explain_checkout_failure(order: Order, cancelled: TransactionCancelledError) -> None:
    """Turn the cancellation reasons of a checkout into the domain error a client can act on."""
    missing: list[str] = []
    short: list[dict[str, Any]] = []
    repriced: list[str] = []
    for index, line in enumerate(order.items):
        if not cancelled.failed(index):
            continue
        old = cancelled.old_item(index)
        if old is None:
            missing.append(line.sku)
        elif old["stock"] < line.quantity:
            short.append(
                {"sku": line.sku, "requested": line.quantity, "available": int(old["stock"])}
            )
        else:
            repriced.append(line.sku)
    if missing:
        raise ProductNotFoundError(f"unknown sku: {', '.join(missing)}", {"skus": missing})
    if short:
        listing = ", ".join(f"{s['sku']} ({s['available']} left)" for s in short)
        raise InsufficientStockError(f"not enough stock for {listing}", short)
    if repriced:
        raise PriceChangedError(
            f"the price of {', '.join(repriced)} changed while ordering; review and retry",
            {"skus": repriced},
        )


def _backoff(attempt: int) -> int:
    """Sleep with full jitter before attempt `attempt + 1`; returns the next attempt number.

    Gives up with ServiceBusyError when DynamoDB keeps refusing (sustained throttling).
    """
    if attempt >= _BATCH_ATTEMPTS:
        raise ServiceBusyError("DynamoDB keeps throttling this table; retry shortly")
    time.sleep(random.uniform(0, min(1.0, 0.05 * 2**attempt)))  # noqa: S311 - jitter, not crypto
    return attempt + 1
