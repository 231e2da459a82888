"""Typed settings read from the environment contract, once per process and on demand.

Names follow the platform convention (README, "stack.yaml"): TABLE_<NAME>_NAME,
BUCKET_<NAME>_NAME and QUEUE_<NAME>_URL for each resource a function has a
permission on, plus the function's own `environment:` from stack.yaml. A
function only gets the variables of its own permissions, so optional values are
checked where they are used, with a message that says what to declare.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from storefront.errors import ConfigurationError


def _integer(
    environ: Mapping[str, str], name: str, default: int, maximum: int | None = None
) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} must be a whole number") from None
    if value <= 0:
        raise ConfigurationError(f"{name}={raw!r} must be greater than 0")
    if maximum is not None and value > maximum:
        raise ConfigurationError(f"{name}={raw!r} must be at most {maximum}")
    return value


IMPORT_REPORT_MAX_ROWS_LIMIT = 10_000

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(environ: Mapping[str, str]) -> str:
    level = environ.get("LOG_LEVEL", "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigurationError(f"LOG_LEVEL={level!r} must be one of {', '.join(_LOG_LEVELS)}")
    return level


@dataclass(frozen=True)
class Settings:
    environment: str
    log_level: str
    table_name: str | None
    imports_bucket: str | None
    orders_queue_url: str | None
    payment_provider: str
    order_max_age_minutes: int
    redrive_after_seconds: int
    # How many rejected rows (and repeated skus) an import report lists; the counts
    # are always exact. Bounded so a report, and the importer's memory, stay small.
    import_report_max_rows: int

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        return cls(
            environment=environ.get("WOOCOM_ENV", "local"),
            log_level=_log_level(environ),
            table_name=environ.get("TABLE_MAIN_NAME") or None,
            imports_bucket=environ.get("BUCKET_IMPORTS_NAME") or None,
            orders_queue_url=environ.get("QUEUE_ORDERS_URL") or None,
            payment_provider=environ.get("PAYMENT_PROVIDER", "simulated"),
            order_max_age_minutes=_integer(environ, "ORDER_MAX_AGE_MINUTES", 30),
            redrive_after_seconds=_integer(environ, "REDRIVE_AFTER_SECONDS", 120),
            import_report_max_rows=_integer(
                environ, "IMPORT_REPORT_MAX_ROWS", 1000, maximum=IMPORT_REPORT_MAX_ROWS_LIMIT
            ),
        )

    def require_table(self) -> str:
        return _require(self.table_name, "TABLE_MAIN_NAME", "table: {main: read}")

    def require_imports_bucket(self) -> str:
        return _require(self.imports_bucket, "BUCKET_IMPORTS_NAME", "bucket: {imports: read}")

    def require_orders_queue(self) -> str:
        return _require(self.orders_queue_url, "QUEUE_ORDERS_URL", "queue: {orders: send}")


def _require(value: str | None, variable: str, permission: str) -> str:
    """The resource name a permission puts in the environment; the missing permission else.

    The least level that sets the variable is named (a reader needs no more).
    """
    if value is None:
        also = " (read_write if it writes)" if permission.endswith(": read}") else ""
        raise ConfigurationError(
            f"{variable} is not set: give this function `permissions: {permission}`{also} in "
            "stack.yaml (deployed and local stacks derive the variable from it)"
        )
    return value


@cache
def current() -> Settings:
    """The settings of this process; `reset()` re-reads them after the environment changed."""
    return Settings.from_environ(os.environ)


def reset() -> None:
    current.cache_clear()
