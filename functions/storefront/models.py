"""The storefront's data: pydantic models of every item and every request/response body.

Money is a `Decimal` inside and a decimal string ("12.99") in JSON, in and out: a
JSON number is refused wherever money enters (a float cannot hold cents), and the
text must match the pattern the OpenAPI document states. Times are
timezone-aware UTC datetimes, written as fixed-width ISO 8601 strings
("2025-01-31T09:15:00.000000Z") so they also sort correctly as DynamoDB keys.

Request bodies are validated with `strict=True` (see `storefront.http`): "2" is
not a quantity. CSV rows are validated lax, since every CSV cell is a string.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

# Active ISO 4217 codes (currencies, not funds or metals).
_ISO_4217_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
    TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_ISO_4217_CODES.split())

_CENT = Decimal("0.01")
MAX_PRICE = 1_000_000

# Money as text: digits, no leading zero, at most two decimals ("0", "4.5", "12.99").
MONEY_PATTERN = r"^(?:0|[1-9][0-9]*)(?:\.[0-9]{1,2})?$"
# The same, at most MAX_PRICE: JSON Schema has no `maximum` for strings.
PRICE_PATTERN = r"^(?:(?:0|[1-9][0-9]{0,5})(?:\.[0-9]{1,2})?|1000000(?:\.0{1,2})?)$"
# What we answer: always two decimals.
_MONEY_OUT_PATTERN = r"^(?:0|[1-9][0-9]*)\.[0-9]{2}$"
_MONEY_TEXT = re.compile(MONEY_PATTERN)


def _decimal(value: object) -> Decimal:
    """Text in the MONEY_PATTERN form, or a Decimal (what DynamoDB hands back)."""
    if isinstance(value, str):
        if not _MONEY_TEXT.fullmatch(value):
            raise ValueError(
                f'{value!r} is not an amount such as "12.99" (digits, at most two decimals)'
            )
        return Decimal(value)
    if not isinstance(value, Decimal):
        raise ValueError('must be a decimal string such as "12.99" (a number cannot hold cents)')
    try:
        if not value.is_finite():
            raise ValueError("must be a finite amount")
    except InvalidOperation:
        raise ValueError("must be a finite amount") from None
    return value


def _to_cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a timezone (UTC)")
    return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso_utc(value: datetime) -> str:
    """The one text form of a time, in JSON and in DynamoDB keys alike."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _currency(value: str) -> str:
    if value not in ISO_4217:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code such as 'EUR' or 'USD'")
    return value


def _money_in(pattern: str) -> WithJsonSchema:
    """The JSON Schema of an amount we accept: a string, never a number."""
    return WithJsonSchema({"type": "string", "pattern": pattern, "examples": ["12.99"]})


Money = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    Field(ge=0),
    AfterValidator(_to_cents),
    PlainSerializer(str, return_type=str, when_used="json"),
    _money_in(MONEY_PATTERN),
    WithJsonSchema(
        {"type": "string", "pattern": _MONEY_OUT_PATTERN, "examples": ["12.99"]},
        mode="serialization",
    ),
]
Price = Annotated[Money, Field(le=MAX_PRICE), _money_in(PRICE_PATTERN)]
UtcTime = Annotated[
    datetime, AfterValidator(_utc), PlainSerializer(iso_utc, return_type=str, when_used="json")
]
Sku = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
    Field(description="letters, digits, '.', '_' or '-'; at most 64", examples=["MUG-001"]),
]
Category = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,49}$"),
    Field(description="lower-case slug", examples=["kitchen"]),
]
Currency = Annotated[
    str,
    AfterValidator(_currency),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(ISO_4217),
            "description": "ISO 4217 code",
            "examples": ["EUR"],
        }
    ),
]
Stock = Annotated[int, Field(ge=0, le=10_000_000)]
Quantity = Annotated[int, Field(ge=1, le=1000)]
# No trimming: what the schema's pattern accepts is exactly what is stored.
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
OrderId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$"),
    Field(description="as returned by POST /orders"),
]
# Visible ASCII, as HTTP allows in a header value without quoting.
IdempotencyKey = Annotated[
    str,
    StringConstraints(pattern=r"^[\x21-\x7e]{1,200}$"),
    Field(description="a retry with the same key and body returns the first order (24 h)"),
]


def _trimmed_name(value: object) -> object:
    # Length counted before trimming, so the schema's `maxLength` is the whole truth; trimmed
    # with str.strip, the same whitespace as the schema's `\S` (Python's and JSON Schema's).
    if isinstance(value, str):
        if len(value) > 200:
            raise ValueError("must have at most 200 characters")
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()
    return value


Name = Annotated[
    str,
    BeforeValidator(_trimmed_name),
    StringConstraints(min_length=1),
    WithJsonSchema(
        {"type": "string", "maxLength": 200, "pattern": r"\S", "examples": ["Mug"]},
        mode="validation",
    ),
]


def describe_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic's errors as [{"field": "items.0.quantity", "message": "..."}]."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "(whole value)"
        message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append({"field": where, "message": message.removeprefix("Value error, ")})
    return problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- catalog --------------------------------------------------------------------------


class ProductFields(_Model):
    name: Name
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    category: Category
    price: Price
    currency: Currency
    stock: Stock


class Product(ProductFields):
    sku: Sku


class ProductBody(ProductFields):
    """Body of `PUT /products/{sku}`: the sku is the path's alone, so a body cannot
    contradict it (a body naming a `sku` is refused as an unknown field)."""

    def with_sku(self, sku: str) -> Product:
        return Product(sku=sku, **self.model_dump())


class ProductPage(_Model):
    items: list[Product]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


# --- orders ---------------------------------------------------------------------------


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    FULFILLED = "FULFILLED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class OrderLineRequest(_Model):
    sku: Sku
    quantity: Quantity


class CreateOrderRequest(_Model):
    email: Email
    items: Annotated[
        list[OrderLineRequest],
        Field(min_length=1, max_length=50, description="one line per sku"),
    ]

    @field_validator("items")
    @classmethod
    def _one_line_per_sku(cls, items: list[OrderLineRequest]) -> list[OrderLineRequest]:
        seen: set[str] = set()
        for line in items:
            if line.sku in seen:
                raise ValueError(f"sku {line.sku!r} appears twice; put its total on one line")
            seen.add(line.sku)
        return items


class OrderLine(_Model):
    sku: Sku
    quantity: Quantity
    unit_price: Price


class Order(_Model):
    order_id: str
    status: OrderStatus
    email: Email
    items: list[OrderLine]
    total: Money
    currency: Currency
    created_at: UtcTime
    updated_at: UtcTime
    payment_reference: str | None = None


class OrderPage(_Model):
    items: list[Order]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class OrderMessage(_Model):
    """What the API puts on the orders queue for the worker."""

    order_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


# --- errors ---------------------------------------------------------------------------


class ErrorDetail(_Model):
    code: str = Field(examples=["insufficient_stock"])
    message: str
    details: Any = None


class ErrorResponse(_Model):
    error: ErrorDetail


# --- path, query and header parameters -----------------------------------------------
# Validated lax (every value arrives as text); the OpenAPI document lists their fields.

_WHOLE_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)")


def _query_integer(value: object) -> object:
    # Plain digits only: "5.0", "+5", "05" or "" are not a page size.
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError(f"{value!r} is not a whole number")
    return value


Limit = Annotated[
    int, Field(ge=1, le=100, description="page size"), BeforeValidator(_query_integer)
]
Cursor = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,2048}$"),
    Field(
        description="next_cursor of the previous page, unchanged; any other value is "
        "refused with invalid_cursor"
    ),
]


class SkuPath(_Model):
    sku: Sku


class OrderPath(_Model):
    order_id: OrderId


class ProductQuery(_Model):
    # A public, cacheable listing: unknown parameters (utm_source, cache busters) are ignored.
    model_config = ConfigDict(extra="ignore")

    category: Category | None = None
    limit: Limit = 20
    cursor: Cursor | None = None


class OrderQuery(_Model):
    status: OrderStatus
    limit: Limit = 20
    cursor: Cursor | None = None


class OrderHeaders(_Model):
    # Header fields are named by their alias: the HTTP name, matched case-insensitively.
    model_config = ConfigDict(extra="ignore")

    idempotency_key: IdempotencyKey | None = Field(default=None, alias="Idempotency-Key")
