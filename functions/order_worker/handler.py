"""SQS batch of {"order_id"} messages -> charge and confirm each PENDING order.

Partial batch response: only the messages that may succeed later (throttling, a
service or payment provider outage) are reported in `batchItemFailures` and come
back after the visibility timeout (then the DLQ after the max receive count).
A poison message, one that can never succeed (not JSON, not `{"order_id"}`, an
order that does not exist), is logged once and acknowledged: retrying it would
only fill the logs with the same stack trace until the DLQ.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from storefront import logs, orders, payments, settings
from storefront.errors import OrderNotFoundError, PaymentUnavailableError, ServiceBusyError
from storefront.models import OrderMessage, describe_errors
from storefront.repository import Repository

log = logs.get_logger(__name__)

# AWS error codes that mean "try again later", whatever the service.
_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "TransactionConflictException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "SlowDown",
    }
)


def is_transient(exc: Exception) -> bool:
    """True for failures that a later delivery of the same message may not meet."""
    if isinstance(exc, PaymentUnavailableError | ServiceBusyError | BotoCoreError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code") in _TRANSIENT_CODES or status >= 500
    return False


def handle(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    repo = Repository.default()
    provider = payments.provider(settings.current().payment_provider)
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        attributes = record.get("messageAttributes") or {}
        correlation = (attributes.get("correlation_id") or {}).get("stringValue") or message_id
        with logs.correlated(correlation, context):
            try:
                message = OrderMessage.model_validate_json(record.get("body") or "")
                outcome = orders.confirm_order(repo, provider, message.order_id)
            except ValidationError as exc:
                problems = "; ".join(f"{p['field']}: {p['message']}" for p in describe_errors(exc))
                log.error(
                    'poison message acknowledged: the body is not {"order_id": "..."}',
                    extra={"message_id": message_id, "error": problems},
                )
            except OrderNotFoundError as exc:
                log.error(
                    "poison message acknowledged: no such order",
                    extra={"message_id": message_id, "error": exc.message},
                )
            except Exception as exc:  # one message's failure must not fail the whole batch
                if is_transient(exc):
                    log.warning(
                        "transient failure; the message will be retried",
                        extra={"message_id": message_id, "error": f"{type(exc).__name__}: {exc}"},
                    )
                else:
                    # Unknown: most likely a bug or a misconfiguration, which a fix and a
                    # DLQ redrive can cure. The trace is what the fix needs.
                    log.exception(
                        "unexpected failure; the message will be retried, then kept in the DLQ",
                        extra={"message_id": message_id},
                    )
                failures.append({"itemIdentifier": message_id})
            else:
                log.info("message handled", extra={"message_id": message_id, "outcome": outcome})
    return {"batchItemFailures": failures}
