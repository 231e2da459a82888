"""Payment behind an interface; the provider is chosen by PAYMENT_PROVIDER.

The simulated provider approves everything, so production refuses it: a worker in
production without a real provider fails on its first order and confirms nothing
(the orders stay PENDING and their messages go to the DLQ) instead of confirming
orders nobody paid for. stack.yaml cannot set it either (woocom.config).

A provider must be idempotent per order: the worker may charge the same order
twice (a retried SQS message, a re-driven order) and must be charged once. Real
providers offer this through an idempotency key; we pass the order id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from storefront.errors import ConfigurationError, PaymentDeclinedError, PaymentUnavailableError
from storefront.logs import get_logger
from storefront.models import Order

log = get_logger(__name__)


class PaymentProvider(Protocol):
    def charge(self, order: Order) -> str:
        """Charge the order's total; return the provider's reference.

        Raises PaymentDeclinedError (final) or PaymentUnavailableError (retry later).
        """

    def refund(self, order: Order, reference: str) -> None:
        """Give back a charge made for an order that could not be confirmed."""


class SimulatedPaymentProvider:
    """Approves every charge, except for reserved test addresses, so every path can be
    exercised end to end: an email whose local part ends in `+declined` is declined, one
    ending in `+unavailable` gets a transient failure."""

    def charge(self, order: Order) -> str:
        local_part = order.email.split("@", 1)[0]
        if local_part.endswith("+declined"):
            raise PaymentDeclinedError(f"card declined for order {order.order_id}")
        if local_part.endswith("+unavailable"):
            raise PaymentUnavailableError("simulated provider outage")
        # The same order always gets the same reference: charging is idempotent.
        return "sim_" + hashlib.sha256(order.order_id.encode()).hexdigest()[:20]

    def refund(self, order: Order, reference: str) -> None:
        log.info("simulated refund", extra={"order_id": order.order_id, "reference": reference})


# Name (PAYMENT_PROVIDER) -> factory. Tests register a provider of their own here.
PROVIDERS: dict[str, Callable[[], PaymentProvider]] = {"simulated": SimulatedPaymentProvider}


PRODUCTION = "production"


def provider(name: str, environment: str | None = None) -> PaymentProvider:
    """The provider called `name`; refused if it is the simulated one in production.

    `environment` defaults to this process's WOOCOM_ENV (storefront.settings).
    """
    if environment is None:
        from storefront import settings

        environment = settings.current().environment
    if environment == PRODUCTION and name == "simulated":
        raise ConfigurationError(
            "production refuses PAYMENT_PROVIDER='simulated': it approves every charge. "
            "Configure a real provider, whose credentials come from a secret declared "
            "under `secrets:` in stack.yaml"
        )
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ConfigurationError(
            f"PAYMENT_PROVIDER={name!r} is unknown; choose one of {', '.join(PROVIDERS)}"
        ) from None
