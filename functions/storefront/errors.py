"""Domain errors with stable codes.

Each error carries a `code` clients can branch on and a message a person can act
on. The HTTP status of each error is decided in one place: `storefront.http.STATUS`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error a client may see; `details` is optional structured context."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


# --- the request itself is wrong ------------------------------------------------------


class InvalidRequestError(DomainError):
    """The request is well-formed JSON but breaks the schema (wrong types, unknown fields...)."""

    code = "invalid_request"


class MalformedJsonError(DomainError):
    code = "malformed_json"


class PayloadTooLargeError(DomainError):
    code = "payload_too_large"


class InvalidCursorError(DomainError):
    code = "invalid_cursor"


class UnauthorizedError(DomainError):
    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


class RouteNotFoundError(DomainError):
    code = "route_not_found"


class MethodNotAllowedError(DomainError):
    code = "method_not_allowed"


# --- the request conflicts with the stored state --------------------------------------


class ProductNotFoundError(DomainError):
    code = "product_not_found"


class OrderNotFoundError(DomainError):
    code = "order_not_found"


class InsufficientStockError(DomainError):
    code = "insufficient_stock"


class PriceChangedError(DomainError):
    """A product's price changed between reading the catalog and reserving its stock."""

    code = "price_changed"


class CurrencyMismatchError(DomainError):
    code = "currency_mismatch"


class OrderNotCancellableError(DomainError):
    code = "order_not_cancellable"


class IdempotencyKeyReusedError(DomainError):
    code = "idempotency_key_reused"


# --- the platform could not do it right now -------------------------------------------


class ServiceBusyError(DomainError):
    """DynamoDB kept refusing (throttling, transaction conflicts): the client should retry."""

    code = "service_busy"


class ConfigurationError(Exception):
    """The function's environment is incomplete: a deployment problem, never a client's."""


# --- payments (raised by providers, handled by the order worker) ----------------------


class PaymentDeclinedError(Exception):
    """The provider refused the charge for good: the order is cancelled."""


class PaymentUnavailableError(Exception):
    """The provider could not answer: the message is retried."""
