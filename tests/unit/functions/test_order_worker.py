"""The order worker on real SQS batch events: confirm, decline, retry, partial failures."""

from __future__ import annotations

import json
import threading

import pytest
from botocore.exceptions import ClientError

from storefront import orders, payments
from storefront.models import CreateOrderRequest, OrderStatus
from storefront.payments import SimulatedPaymentProvider
from storefront.repository import Repository
from storefront.settings import reset as settings_reset
from tests.factories import ADMIN, order, product, sqs_event
from tests.unit.functions.support import invoke, queued_messages


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


def log_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_only_the_transient_failures_of_a_batch_are_reported(place):
    good = place()
    flaky = place(email="buyer+unavailable@woocom.test", quantity=1)
    event = sqs_event(message(good), message(flaky), "not json", message("no-such-order"))
    failed = [f["itemIdentifier"] for f in invoke("order_worker", event)["batchItemFailures"]]
    ids = [record["messageId"] for record in event["Records"]]
    assert failed == [ids[1]]  # the provider outage; the poison messages are acknowledged
    assert status_and_stock(good)[0] is OrderStatus.CONFIRMED
    assert status_and_stock(flaky)[0] is OrderStatus.PENDING  # retried later


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("not json", "not {"),
        ('{"order": "abc"}', "not {"),
        ('["abc"]', "not {"),
        ("", "not {"),
        (json.dumps({"order_id": "no-such-order"}), "no such order"),
    ],
    ids=["not-json", "wrong-field", "not-an-object", "empty", "unknown-order"],
)
def test_a_poison_message_is_logged_once_without_a_trace_and_acknowledged(
    resources, capsys, body, problem
):
    event = sqs_event(body)
    assert invoke("order_worker", event) == {"batchItemFailures": []}
    lines = log_lines(capsys)
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert problem in errors[0]["message"]
    assert errors[0]["message_id"] == event["Records"][0]["messageId"]
    assert not any("exception" in line for line in lines)


def throttled(*_args, **_kwargs):
    raise ClientError(
        {
            "Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        },
        "GetItem",
    )


def test_throttling_sends_the_message_back_for_a_retry(place, monkeypatch, capsys):
    order_id = place()
    monkeypatch.setattr(Repository, "get_order", throttled)
    event = sqs_event(message(order_id))
    failed = invoke("order_worker", event)["batchItemFailures"]
    assert failed == [{"itemIdentifier": event["Records"][0]["messageId"]}]
    warnings = [line for line in log_lines(capsys) if line["level"] == "WARNING"]
    assert "retried" in warnings[0]["message"]
    assert "ProvisionedThroughputExceededException" in warnings[0]["error"]


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


class PausedCharge(SimulatedPaymentProvider):
    """Records charges and refunds; the first charge waits until the test releases it."""

    def __init__(self):
        self.charging = threading.Event()
        self.release = threading.Event()
        self.refunds = []
        self._first = True
        self._lock = threading.Lock()

    def charge(self, order):
        with self._lock:
            first, self._first = self._first, False
        if first:
            self.charging.set()
            assert self.release.wait(timeout=60), "the test never released the charge"
        return super().charge(order)

    def refund(self, order, reference):
        self.refunds.append((order.order_id, reference))


@pytest.mark.emulator
def test_a_concurrent_duplicate_message_never_refunds_the_charge_that_confirmed_the_order(
    place, monkeypatch
):
    order_id = place()
    provider = PausedCharge()
    monkeypatch.setitem(payments.PROVIDERS, "paused", lambda: provider)
    monkeypatch.setenv("PAYMENT_PROVIDER", "paused")
    settings_reset()
    results = {}
    slow = threading.Thread(
        target=lambda: results.setdefault(
            "slow", invoke("order_worker", sqs_event(message(order_id)))
        )
    )
    slow.start()
    try:
        assert provider.charging.wait(timeout=60)  # the first copy is inside charge()
        results["fast"] = invoke("order_worker", sqs_event(message(order_id)))  # the duplicate
    finally:
        provider.release.set()
        slow.join(timeout=60)
    assert results == {"slow": {"batchItemFailures": []}, "fast": {"batchItemFailures": []}}
    stored = Repository.default().get_order(order_id)
    assert stored.status is OrderStatus.CONFIRMED
    assert stored.payment_reference.startswith("sim_")
    assert provider.refunds == []  # the order keeps the money it was confirmed with


class CancelledWhileCharging(SimulatedPaymentProvider):
    def __init__(self):
        self.refunds = []

    def charge(self, order):
        orders.cancel_order(Repository.default(), order.order_id)
        return super().charge(order)

    def refund(self, order, reference):
        self.refunds.append(reference)


def test_an_order_cancelled_while_being_charged_is_refunded(place):
    order_id = place()
    provider = CancelledWhileCharging()
    assert orders.confirm_order(Repository.default(), provider, order_id) == "refunded"
    assert status_and_stock(order_id) == (OrderStatus.CANCELLED, 5)
    assert len(provider.refunds) == 1
