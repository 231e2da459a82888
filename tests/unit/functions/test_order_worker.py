"""The order worker on real SQS batch events: confirm, decline, retry, partial failures."""

from __future__ import annotations

import json

import pytest

from storefront import orders
from storefront.models import CreateOrderRequest, OrderStatus
from storefront.payments import SimulatedPaymentProvider
from storefront.repository import Repository
from tests.factories import ADMIN, order, product, sqs_event
from tests.unit.functions.conftest import invoke, queued_messages


@pytest.fixture
def place(api):
    api("PUT", "/products/{sku}", sku="MUG-1", body=product(stock=5), claims=ADMIN)

    def place_order(email="shopper@woocom.test", quantity=2):
        request = CreateOrderRequest.model_validate(order(("MUG-1", quantity), email=email))
        return orders.place_order(Repository.default(), request, None).order.order_id

    return place_order


def message(order_id):
    return json.dumps({"order_id": order_id})


def status_and_stock(order_id):
    repo = Repository.default()
    return repo.get_order(order_id).status, repo.get_product("MUG-1").stock


def test_a_pending_order_is_charged_and_confirmed(place):
    order_id = place()
    result = invoke("order_worker", sqs_event(message(order_id)))
    assert result == {"batchItemFailures": []}
    assert status_and_stock(order_id) == (OrderStatus.CONFIRMED, 3)
    assert Repository.default().get_order(order_id).payment_reference.startswith("sim_")


def test_a_repeated_message_is_a_harmless_no_op(place):
    order_id = place()
    invoke("order_worker", sqs_event(message(order_id)))
    result = invoke("order_worker", sqs_event(message(order_id)))
    assert result == {"batchItemFailures": []}
    assert status_and_stock(order_id) == (OrderStatus.CONFIRMED, 3)


def test_a_declined_payment_cancels_the_order_and_releases_its_stock(place):
    order_id = place(email="buyer+declined@woocom.test")
    result = invoke("order_worker", sqs_event(message(order_id)))
    assert result == {"batchItemFailures": []}
    assert status_and_stock(order_id) == (OrderStatus.CANCELLED, 5)


def test_only_the_failed_messages_of_a_batch_are_reported(place):
    good = place()
    flaky = place(email="buyer+unavailable@woocom.test", quantity=1)
    event = sqs_event(message(good), message(flaky), "not json", message("no-such-order"))
    failed = [f["itemIdentifier"] for f in invoke("order_worker", event)["batchItemFailures"]]
    ids = [record["messageId"] for record in event["Records"]]
    assert failed == ids[1:]
    assert status_and_stock(good)[0] is OrderStatus.CONFIRMED
    assert status_and_stock(flaky)[0] is OrderStatus.PENDING  # retried later


def test_the_correlation_id_travels_from_the_api_to_the_worker(place, api, resources, capsys):
    placed = api(
        "POST", "/orders", body=order(("MUG-1", 1)), headers={"X-Correlation-Id": "req-123"}
    )
    order_id = placed.body["order_id"]
    invoke("order_worker", sqs_event(*queued_messages(resources)))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    confirmed = [line for line in lines if line["message"] == "order confirmed"]
    assert confirmed[0]["correlation_id"] == "req-123"
    assert confirmed[0]["order_id"] == order_id


class ExpiresWhileCharging(SimulatedPaymentProvider):
    """The order expires between the worker's read and its confirmation."""

    def charge(self, order):
        Repository.default().release_order(order, OrderStatus.EXPIRED, order.created_at)
        return super().charge(order)


def test_an_order_that_expired_while_being_charged_is_refunded_not_confirmed(place, capsys):
    order_id = place()
    outcome = orders.confirm_order(Repository.default(), ExpiresWhileCharging(), order_id)
    assert outcome == "refunded"
    assert status_and_stock(order_id) == (OrderStatus.EXPIRED, 5)
    assert "simulated refund" in capsys.readouterr().out
