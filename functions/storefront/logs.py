"""Structured JSON logs, one object per line, each tagged with the correlation id.

CloudWatch Logs Insights can filter on any field (`correlation_id`, `order_id`...).
The correlation id is the API request id (or the caller's X-Correlation-Id), the
SQS message's id or the id the API put on it, so one order can be followed from
checkout to confirmation. Fields passed as `extra={...}` become top-level keys.
The logger writes to stdout (what Lambda ships to CloudWatch) and does not
propagate, so it never changes how a host process (the local runtime) logs.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from storefront import settings

ROOT = "storefront"

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": _correlation_id.get(),
            "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        }
        document.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


class _StdoutHandler(logging.Handler):
    """Writes to whatever sys.stdout is at the time, so captured output sees the lines."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _root() -> logging.Logger:
    root = logging.getLogger(ROOT)
    if not root.handlers:
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.propagate = False
        root.setLevel(logging.INFO)
    return root


def get_logger(name: str) -> logging.Logger:
    """A logger under the `storefront` tree: `get_logger(__name__)`."""
    _root()
    return logging.getLogger(name if name.startswith(ROOT) else f"{ROOT}.{name}")


def correlation_id() -> str | None:
    return _correlation_id.get()


@contextmanager
def correlated(correlation: str) -> Iterator[None]:
    """Tag every log line inside the block with `correlation`; applies LOG_LEVEL."""
    _root().setLevel(settings.current().log_level)
    token = _correlation_id.set(correlation)
    try:
        yield
    finally:
        _correlation_id.reset(token)
