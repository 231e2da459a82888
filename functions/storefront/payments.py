"""Payment behind an interface; the provider is chosen by PAYMENT_PROVIDER.

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


def provider(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ConfigurationError(
            f"PAYMENT_PROVIDER={name!r} is unknown; choose one of {', '.join(PROVIDERS)}"
        ) from None
