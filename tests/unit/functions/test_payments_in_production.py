"""Finding 5: production never confirms an order through the simulated provider."""

from __future__ import annotations

import json

import pytest

from storefront import orders, payments, settings
from storefront.errors import ConfigurationError
from storefront.models import CreateOrderRequest, OrderStatus
from storefront.repository import Repository
from tests.factories import ADMIN, order, product, sqs_event
from tests.unit.functions.support import invoke


@pytest.fixture
def production(resources, monkeypatch):
    monkeypatch.setenv("WOOCOM_ENV", "production")
    settings.reset()
    yield
    settings.reset()


def test_the_worker_refuses_the_simulated_provider_in_production(api, production):
    api("PUT", "/products/{sku}", sku="MUG-1", body=product(stock=5), claims=ADMIN)
    request = CreateOrderRequest.model_validate(order(("MUG-1", 2)))
    order_id = orders.place_order(Repository.default(), request, None).order.order_id

    with pytest.raises(ConfigurationError, match="production refuses PAYMENT_PROVIDER='simulated'"):
        invoke("order_worker", sqs_event(json.dumps({"order_id": order_id})))

    assert Repository.default().get_order(order_id).status is OrderStatus.PENDING


@pytest.mark.parametrize("environment", ["staging", "pr-12", "dev-alice", "local", "test"])
def test_other_environments_may_simulate(environment):
    assert isinstance(
        payments.provider("simulated", environment), payments.SimulatedPaymentProvider
    )


def test_production_refuses_it_whoever_asks():
    with pytest.raises(ConfigurationError, match="approves every charge"):
        payments.provider("simulated", "production")
