"""The scheduled sweep: stale PENDING orders expire, unconfirmed ones are re-driven."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from expire_orders import handler as expire_handler

from storefront import aws, orders
from storefront.models import CreateOrderRequest, OrderStatus
from storefront.repository import Repository
from tests.factories import ADMIN, context, order, product, scheduled_event
from tests.unit.functions.support import (
    ScriptedContext,
    invoke,
    invoke_with,
    queued_order_ids,
)

# A fixed instant, and the clock frozen on it: the ages below are exact, however long
# the suite ran before these tests (taking the time at import made them flaky).
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def place(api):
    api("PUT", "/products/{sku}", sku="MUG-1", body=product(stock=10), claims=ADMIN)

    def place_order(age):
        request = CreateOrderRequest.model_validate(order(("MUG-1", 2)))
        return orders.place_order(Repository.default(), request, None, now=NOW - age).order

    return place_order


def test_stale_orders_expire_with_stock_back_and_unheard_ones_are_redriven(place, resources):
    # stack.yaml: ORDER_MAX_AGE_MINUTES=30, REDRIVE_AFTER_SECONDS=120
    stale = place(timedelta(minutes=31))
    unheard = place(timedelta(minutes=5))
    fresh = place(timedelta(seconds=10))
    confirmed = place(timedelta(hours=2))
    repo = Repository.default()
    repo.set_status(confirmed, OrderStatus.PENDING, OrderStatus.CONFIRMED, NOW)
    assert repo.get_product("MUG-1").stock == 2

    result = invoke("expire_orders", scheduled_event())

    assert result == {"expired": 1, "redriven": 1, "redrive_failed": 0, "stopped_early": False}
    assert repo.get_order(stale.order_id).status is OrderStatus.EXPIRED
    assert repo.get_order(unheard.order_id).status is OrderStatus.PENDING
    assert repo.get_order(fresh.order_id).status is OrderStatus.PENDING
    assert repo.get_order(confirmed.order_id).status is OrderStatus.CONFIRMED
    assert repo.get_product("MUG-1").stock == 4  # only the expired order's 2 came back
    assert queued_order_ids(resources) == [unheard.order_id]


def test_a_second_sweep_never_releases_stock_twice(place):
    place(timedelta(hours=1))
    invoke("expire_orders", scheduled_event())
    again = invoke("expire_orders", scheduled_event())
    assert again["expired"] == 0
    assert Repository.default().get_product("MUG-1").stock == 10


@pytest.mark.parametrize("age", [timedelta(hours=1), timedelta(minutes=5)])
def test_the_sweep_stops_before_the_lambda_timeout(place, age):
    place(age)
    almost_out = context("expire_orders", timeout=1)
    result = expire_handler.handle(scheduled_event(), almost_out)
    assert result["stopped_early"] is True
    assert (result["expired"], result["redriven"]) == (0, 0)


def test_a_redrive_that_cannot_reach_the_queue_is_counted_and_retried_next_run(place, monkeypatch):
    unheard = place(timedelta(minutes=5))
    monkeypatch.setenv("QUEUE_ORDERS_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/gone")
    aws.reset()
    result = invoke("expire_orders", scheduled_event())
    assert (result["redriven"], result["redrive_failed"]) == (0, 1)
    assert Repository.default().get_order(unheard.order_id).status is OrderStatus.PENDING


def test_unheard_orders_are_redriven_before_a_large_expiry_backlog(place, resources):
    for _ in range(4):
        place(timedelta(hours=3))
    unheard = place(timedelta(minutes=5))
    # Budget for three steps: 7 s, 6 s, 5 s left, then under the 5 s safety margin.
    short = ScriptedContext("expire_orders", remaining_ms=7000, ms_per_call=1000)

    result = invoke_with("expire_orders", scheduled_event(), short)

    assert result == {"expired": 2, "redriven": 1, "redrive_failed": 0, "stopped_early": True}
    assert queued_order_ids(resources) == [unheard.order_id]
    after = invoke("expire_orders", scheduled_event())  # the next run finishes the backlog
    assert (after["expired"], after["stopped_early"]) == (2, False)
