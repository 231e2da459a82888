"""schemathesis hooks of test_schemathesis.py (loaded by `st` through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

import schemathesis
from schemathesis import Case


@schemathesis.hook
def filter_case(_context: schemathesis.HookContext, case: Case) -> bool:
    """Leave out the positive cases that break a rule JSON Schema cannot state.

    The document states both rules in words; negative cases are all still sent.
    - `cursor` is an opaque token only a previous page hands out: any other value is
      refused with 400 invalid_cursor.
    - An order has one line per sku: `uniqueItems` cannot say "unique by sku".
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return True
    if "cursor" in (case.query or {}):
        return False
    body = case.body
    if case.method.upper() == "POST" and case.path == "/orders" and isinstance(body, dict):
        lines = body.get("items")
        if isinstance(lines, list):
            skus = [line.get("sku") for line in lines if isinstance(line, dict)]
            return len(skus) == len(set(map(str, skus)))
    return True
