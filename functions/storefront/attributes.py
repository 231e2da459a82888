"""DynamoDB attribute values ({"S": ...}, {"N": ...}) to and from plain Python values.

Ours rather than boto3's TypeSerializer: that one lives in the boto3 package, and
importing it imports all of boto3 (resources, s3transfer) on top of botocore, about
15 ms of every cold start for two small functions (functions/README.md, "Cold start").
It covers exactly what the table holds: text, numbers, booleans, null, maps and lists.

Numbers keep the decimal context boto3 used for DynamoDB (38 significant digits, adjusted
exponent from -128 to 126): a number that would lose a digit or is out of range is
refused (decimal.Inexact, Rounded, Overflow, Underflow...) rather than stored rounded,
and a float is refused outright (it cannot hold cents exactly: amounts are Decimals).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

NUMBER_CONTEXT = Context(
    Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow]
)

AttributeValue = dict[str, Any]


def serialize(value: object) -> AttributeValue:
    """The attribute value of `value` (str, bool, int, Decimal, None, a mapping, list or tuple)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        number = str(NUMBER_CONTEXT.create_decimal(value))
        if number in ("Infinity", "-Infinity", "NaN", "-NaN", "sNaN", "-sNaN"):
            raise TypeError(f"{number} is not a number DynamoDB can store")
        return {"N": number}
    if isinstance(value, float):
        raise TypeError("a float cannot be stored exactly: pass a Decimal")
    if isinstance(value, Mapping):
        return {"M": {str(k): serialize(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):  # a tuple field dumps as a tuple
        return {"L": [serialize(v) for v in value]}
    raise TypeError(f"{type(value).__name__} values are not stored in the table")


def deserialize(attribute: Mapping[str, Any]) -> Any:
    """The Python value of an attribute value; numbers come back as Decimals."""
    if len(attribute) != 1:
        raise TypeError(f"an attribute value has exactly one type: {dict(attribute)!r}")
    kind, raw = next(iter(attribute.items()))
    if kind == "S":
        return raw
    if kind == "N":
        return NUMBER_CONTEXT.create_decimal(raw)
    if kind == "BOOL":
        return raw
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: deserialize(v) for k, v in raw.items()}
    if kind == "L":
        return [deserialize(v) for v in raw]
    raise TypeError(f"attribute type {kind!r} is not one the table holds")
