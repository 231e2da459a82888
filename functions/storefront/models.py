"""The storefront's data: pydantic models of every item and every request/response body.

Money is a `Decimal` inside and a decimal string ("12.99") in JSON; a float is
refused wherever money enters, since binary floats cannot hold cents. Times are
timezone-aware UTC datetimes, written as fixed-width ISO 8601 strings
("2025-01-31T09:15:00.000000Z") so they also sort correctly as DynamoDB keys.

Request bodies are validated with `strict=True` (see `storefront.http`): "2" is
not a quantity. CSV rows are validated lax, since every CSV cell is a string.
"""

from __future__ import annotations

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


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError('must be a decimal string such as "12.99" (a float cannot hold cents)')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f'{value!r} is not a decimal number such as "12.99"') from None
    if not isinstance(value, Decimal):
        raise ValueError('must be a decimal string such as "12.99"')
    if not value.is_finite():
        raise ValueError("must be a finite amount")
    return value


def _to_cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a timezone (UTC)")
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    """The one text form of a time, in JSON and in DynamoDB keys alike."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _currency(value: str) -> str:
    if value not in ISO_4217:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code such as 'EUR' or 'USD'")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    Field(ge=0, max_digits=18, decimal_places=2),
    AfterValidator(_to_cents),
    PlainSerializer(str, return_type=str, when_used="json"),
]
Price = Annotated[Money, Field(le=1_000_000)]
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
    str, AfterValidator(_currency), Field(description="ISO 4217 code", examples=["EUR"])
]
Stock = Annotated[int, Field(ge=0, le=10_000_000)]
Quantity = Annotated[int, Field(ge=1, le=1000)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
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
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    category: Category
    price: Price
    currency: Currency
    stock: Stock


class Product(ProductFields):
    sku: Sku


class ProductBody(ProductFields):
    """Body of `PUT /products/{sku}`; `sku` may be repeated but must match the path."""

    sku: Sku | None = None

    def with_sku(self, sku: str) -> Product:
        return Product(sku=sku, **self.model_dump(exclude={"sku"}))


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
    items: Annotated[list[OrderLineRequest], Field(min_length=1, max_length=50)]

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


# --- query strings --------------------------------------------------------------------

Limit = Annotated[int, Field(ge=1, le=100, description="page size")]


class ProductQuery(_Model):
    category: Category | None = None
    limit: Limit = 20
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None


class OrderQuery(_Model):
    status: OrderStatus
    limit: Limit = 20
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None
