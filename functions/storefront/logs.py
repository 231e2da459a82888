"""Structured JSON logs, one object per line, each tagged with the correlation id.

CloudWatch Logs Insights can filter on any field (`correlation_id`, `order_id`...).
The correlation id is the API request id (or the caller's X-Correlation-Id), the
SQS message's id or the id the API put on it, so one order can be followed from
checkout to confirmation. Fields passed as `extra={...}` become top-level keys.
Each line also names the function and the Lambda request id, from the context
given to `correlated` (the local runtime runs every function in one process, so
AWS_LAMBDA_FUNCTION_NAME alone cannot tell them apart).
The logger writes to stdout (what Lambda ships to CloudWatch) and does not
propagate, so it never changes how a host process (the local runtime) logs.
With WOOCOM_LOG_FILE set (the local runtime sets it; Lambda never does) every
line is appended to that file too, which `nox -s logs -- local <function>` reads.
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
from pathlib import Path
from typing import Any

from storefront import settings

ROOT = "storefront"
LOG_FILE_VARIABLE = "WOOCOM_LOG_FILE"

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_function_name: ContextVar[str | None] = ContextVar("function_name", default=None)
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
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
            "function": _function_name.get() or os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
            "request_id": _request_id.get(),
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


class _FileHandler(logging.FileHandler):
    """Appends the same lines to WOOCOM_LOG_FILE (opened on first use, line by line)."""


def _root() -> logging.Logger:
    root = logging.getLogger(ROOT)
    if not root.handlers:
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.propagate = False
        root.setLevel(logging.INFO)
    for existing in root.handlers:
        if type(existing.formatter) is not JsonFormatter:
            # Left by an earlier import of this module (the local runtime imports changed
            # code afresh; the logger is process-wide): its formatter would read that
            # import's context variables, and every line would lose its correlation.
            existing.setFormatter(JsonFormatter())
    _follow_log_file(root)
    return root


def _follow_log_file(root: logging.Logger) -> None:
    """One file handler, on the file WOOCOM_LOG_FILE names now (none when it is unset)."""
    wanted = os.environ.get(LOG_FILE_VARIABLE)
    path = str(Path(wanted).resolve()) if wanted else None
    # By class name: the local runtime re-imports this module when its code changes,
    # and the handlers of the previous import stay on the (process-wide) logger.
    for handler in list(root.handlers):
        stale = getattr(handler, "baseFilename", None) != path
        if type(handler).__name__ == "_FileHandler" and stale:
            root.removeHandler(handler)
            handler.close()
    if path and not any(getattr(h, "baseFilename", None) == path for h in root.handlers):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handler = _FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)


def get_logger(name: str) -> logging.Logger:
    """A logger under the `storefront` tree: `get_logger(__name__)`."""
    _root()
    return logging.getLogger(name if name.startswith(ROOT) else f"{ROOT}.{name}")


def correlation_id() -> str | None:
    return _correlation_id.get()


@contextmanager
def correlated(correlation: str, context: Any = None) -> Iterator[None]:
    """Tag every log line inside the block with `correlation`; applies LOG_LEVEL.

    `context` is the Lambda context of the invocation: its function name and
    request id go on every line too.
    """
    _root().setLevel(settings.current().log_level)
    correlation_token = _correlation_id.set(correlation)
    function_token = _function_name.set(getattr(context, "function_name", None))
    request_token = _request_id.set(getattr(context, "aws_request_id", None))
    try:
        yield
    finally:
        _request_id.reset(request_token)
        _function_name.reset(function_token)
        _correlation_id.reset(correlation_token)
