"""SQS batch of {"order_id"} messages -> charge and confirm each PENDING order.

Partial batch response: only the messages that failed are retried (and after
the queue's max receive count they land in its DLQ); the rest are deleted.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from storefront import logs, orders, payments, settings
from storefront.errors import PaymentUnavailableError
from storefront.models import OrderMessage
from storefront.repository import Repository

log = logs.get_logger(__name__)


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
                message = OrderMessage.model_validate_json(record["body"])
                outcome = orders.confirm_order(repo, provider, message.order_id)
            except ValidationError as exc:
                log.error(
                    "malformed message; it goes to the DLQ after its last retry",
                    extra={"message_id": message_id, "error": str(exc)},
                )
                failures.append({"itemIdentifier": message_id})
            except PaymentUnavailableError as exc:
                log.warning(
                    "payment provider unavailable; the message will be retried",
                    extra={"message_id": message_id, "error": str(exc)},
                )
                failures.append({"itemIdentifier": message_id})
            except Exception:  # one message's failure must not fail the whole batch
                log.exception(
                    "message failed; it will be retried", extra={"message_id": message_id}
                )
                failures.append({"itemIdentifier": message_id})
            else:
                log.info("message handled", extra={"message_id": message_id, "outcome": outcome})
    return {"batchItemFailures": failures}
