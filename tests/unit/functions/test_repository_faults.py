"""What moto cannot produce by itself (transaction conflicts, throttled batches, races with a
deletion) injected in front of the moto-backed client, to show the repository recovers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storefront import aws, orders
from storefront.errors import ProductNotFoundError, ServiceBusyError
from storefront.models import CreateOrderRequest, OrderStatus
from storefront.repository import Repository
from tests.factories import ADMIN, order, pending_order, product


class Faulty:
    """The real (moto) client, with a hook run before chosen calls."""

    def __init__(self, client, **hooks):
        self._client = client
        self._hooks = hooks
        self.calls = {name: 0 for name in hooks}

    def __getattr__(self, name):
        real = getattr(self._client, name)
        if name not in self._hooks:
            return real

        def call(**kwargs):
            self.calls[name] += 1
            return self._hooks[name](self.calls[name], real, kwargs)

        return call


def conflict(client):
    return client.exceptions.TransactionCanceledException(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
            "CancellationReasons": [{"Code": "TransactionConflict"}],
        },
        "TransactWriteItems",
    )


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr("storefront.repository.time.sleep", lambda _seconds: None)


@pytest.fixture
def mug(api):
    api("PUT", "/products/{sku}", sku="MUG-1", body=product(stock=5), claims=ADMIN)


def request(*lines):
    return CreateOrderRequest.model_validate(order(*lines))


def test_a_transaction_that_lost_a_race_is_retried(mug, resources, no_sleep):
    real = aws.dynamodb()

    def conflict_twice(attempt, call, kwargs):
        if attempt <= 2:
            raise conflict(real)
        return call(**kwargs)

    client = Faulty(real, transact_write_items=conflict_twice)
    repo = Repository(client, resources.tables["main"])
    placed = orders.place_order(repo, request(("MUG-1", 1)), None)
    assert client.calls["transact_write_items"] == 3
    assert repo.get_order(placed.order.order_id).status is OrderStatus.PENDING


def test_endless_conflicts_become_a_busy_error(mug, resources, no_sleep):
    real = aws.dynamodb()

    def always(_attempt, _call, _kwargs):
        raise conflict(real)

    repo = Repository(Faulty(real, transact_write_items=always), resources.tables["main"])
    with pytest.raises(ServiceBusyError):
        orders.place_order(repo, request(("MUG-1", 1)), None)
    assert Repository.default().get_product("MUG-1").stock == 5


def test_unprocessed_batch_keys_are_fetched_again_then_given_up(mug, resources, no_sleep):
    real = aws.dynamodb()

    def first_unprocessed(attempt, call, kwargs):
        if attempt == 1:
            return {"Responses": {}, "UnprocessedKeys": kwargs["RequestItems"]}
        return call(**kwargs)

    repo = Repository(Faulty(real, batch_get_item=first_unprocessed), resources.tables["main"])
    assert set(repo.get_products(["MUG-1"])) == {"MUG-1"}

    def never(_attempt, _call, kwargs):
        return {"Responses": {}, "UnprocessedKeys": kwargs["RequestItems"]}

    stuck = Repository(Faulty(real, batch_get_item=never), resources.tables["main"])
    with pytest.raises(ServiceBusyError, match="throttling"):
        stuck.get_products(["MUG-1"])


def test_a_product_deleted_just_before_the_checkout_commits_is_404(mug, resources):
    repo = Repository.default()
    ghost = pending_order(("GONE-1", 1, "1.00"))
    with pytest.raises(ProductNotFoundError, match="GONE-1"):
        repo.create_order(ghost, None)


def test_release_reads_again_when_a_product_vanishes_mid_way(mug, resources):
    real = aws.dynamodb()
    placed = orders.place_order(Repository.default(), request(("MUG-1", 2)), None).order

    def delete_first(attempt, call, kwargs):
        if attempt == 1:
            Repository.default().delete_product("MUG-1")
        return call(**kwargs)

    repo = Repository(Faulty(real, transact_write_items=delete_first), resources.tables["main"])
    assert repo.release_order(placed, OrderStatus.CANCELLED, datetime.now(UTC))
    assert repo.get_order(placed.order_id).status is OrderStatus.CANCELLED
    assert repo.get_product("MUG-1") is None


def test_an_idempotency_key_is_forgotten_after_its_ttl(mug):
    repo = Repository.default()
    old = orders.place_order(
        repo, request(("MUG-1", 1)), "k", now=datetime.now(UTC) - timedelta(days=2)
    )
    fresh = orders.place_order(repo, request(("MUG-1", 2)), "k")
    assert not fresh.replayed
    assert fresh.order.order_id != old.order.order_id


def test_a_checkout_whose_response_was_lost_and_retried_is_placed_once(mug, resources):
    """The SDK re-sends a TransactWriteItems that already committed (a read timeout under
    load): the retry's own order Put then fails its condition. That is this checkout's own
    order, not a conflict: 201 once, stock taken once (was a 500)."""
    client = aws.dynamodb()
    retried = []

    def retry_a_success_once(attempts, caught_exception, response, **_kwargs):
        succeeded = caught_exception is None and response[0].status_code == 200
        if attempts == 1 and succeeded and not retried:
            retried.append(True)
            return 0  # seconds to wait before botocore sends the same request again
        return None

    client.meta.events.register_first(
        "needs-retry.dynamodb.TransactWriteItems", retry_a_success_once
    )
    try:
        placed = orders.place_order(Repository.default(), request(("MUG-1", 2)), None)
    finally:
        client.meta.events.unregister(
            "needs-retry.dynamodb.TransactWriteItems", retry_a_success_once
        )
    assert retried == [True]
    repo = Repository.default()
    assert repo.get_order(placed.order.order_id).status is OrderStatus.PENDING
    assert repo.get_product("MUG-1").stock == 3


def test_a_cancel_whose_response_was_lost_and_retried_reports_success(mug, resources):
    """The same lost response on a release: the re-sent transaction fails the order's
    PENDING condition because the first one moved it. Still a success, stock back once."""
    repo = Repository.default()
    placed = orders.place_order(repo, request(("MUG-1", 2)), None)
    client = aws.dynamodb()
    retried = []

    def retry_a_success_once(attempts, caught_exception, response, **_kwargs):
        if attempts == 1 and caught_exception is None and not retried:
            retried.append(response[0].status_code)
            return 0
        return None

    client.meta.events.register_first(
        "needs-retry.dynamodb.TransactWriteItems", retry_a_success_once
    )
    try:
        released = repo.release_order(placed.order, OrderStatus.CANCELLED, datetime.now(UTC))
    finally:
        client.meta.events.unregister(
            "needs-retry.dynamodb.TransactWriteItems", retry_a_success_once
        )
    assert retried == [200]
    assert released is True
    assert repo.get_order(placed.order.order_id).status is OrderStatus.CANCELLED
    assert repo.get_product("MUG-1").stock == 5
    # A release that really lost (the order is no longer PENDING) is still refused.
    assert repo.release_order(placed.order, OrderStatus.EXPIRED, datetime.now(UTC)) is False


def test_pending_orders_are_read_to_the_last_page(mug, resources):
    """DynamoDB pages a query at 1 MB; here every page holds one order, so the sweep's
    listing has to follow LastEvaluatedKey across all of them."""
    placed = [
        orders.place_order(
            Repository.default(),
            request(("MUG-1", 1)),
            None,
            now=datetime.now(UTC) - timedelta(minutes=minutes),
        ).order.order_id
        for minutes in (30, 20, 10)
    ]

    def one_per_page(_attempt, call, kwargs):
        return call(**kwargs, Limit=1)

    client = Faulty(aws.dynamodb(), query=one_per_page)
    repo = Repository(client, resources.tables["main"])
    listed = [o.order_id for o in repo.pending_orders(created_before=datetime.now(UTC))]
    assert listed == placed  # oldest first, none missing
    assert client.calls["query"] >= len(placed)  # one order per page
