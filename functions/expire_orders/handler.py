"""Scheduled sweep of PENDING orders: expire the stale ones, re-drive the unconfirmed ones.

ORDER_MAX_AGE_MINUTES: a PENDING order older than this becomes EXPIRED, stock released.
REDRIVE_AFTER_SECONDS: a PENDING order older than this (not yet expired) is sent to
the worker's queue again, in case the API could not enqueue it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from storefront import logs, orders, settings
from storefront.repository import Repository

log = logs.get_logger(__name__)

# Stop starting new work when less than this is left before the Lambda timeout.
_SAFETY_MARGIN_MS = 5000


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    config = settings.current()
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    with logs.correlated(
        str(event.get("id") or getattr(context, "aws_request_id", "schedule")), context
    ):
        sweep = orders.sweep_pending_orders(
            Repository.default(),
            max_age=timedelta(minutes=config.order_max_age_minutes),
            redrive_after=timedelta(seconds=config.redrive_after_seconds),
            time_is_up=lambda: remaining is not None and remaining() < _SAFETY_MARGIN_MS,
        )
        log.info("sweep finished", extra=asdict(sweep))
    return asdict(sweep)
