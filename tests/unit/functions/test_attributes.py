"""DynamoDB attribute values: what the table stores is exactly what boto3 stored before."""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from storefront import attributes
from storefront.models import Product
from storefront.repository import _order_item, _product_item
from tests.factories import pending_order

NOW = datetime(2026, 1, 31, 9, 15, tzinfo=UTC)


def items() -> list[dict[str, object]]:
    """Plain values of the items the repository writes: a product and an order."""
    mug = Product(
        sku="MUG-1",
        name="Mug",
        category="kitchen",
        price=Decimal("12.90"),
        currency="EUR",
        stock=3,
    )
    raw = [_product_item(mug, NOW), _order_item(pending_order(("MUG-1", 2, "12.99")))]
    return [{k: TypeDeserializer().deserialize(v) for k, v in item.items()} for item in raw]


@pytest.mark.parametrize("values", items(), ids=["product", "order"])
def test_items_serialize_as_boto3_serialized_them(values):
    for value in values.values():
        assert attributes.serialize(value) == TypeSerializer().serialize(value)


@pytest.mark.parametrize("values", items(), ids=["product", "order"])
def test_items_read_back_as_boto3_read_them(values):
    for value in values.values():
        stored = TypeSerializer().serialize(value)
        assert attributes.deserialize(stored) == TypeDeserializer().deserialize(stored)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (True, {"BOOL": True}),
        (0, {"N": "0"}),
        (Decimal("9.90"), {"N": "9.90"}),
        (None, {"NULL": True}),
        ({"a": [1, "b"]}, {"M": {"a": {"L": [{"N": "1"}, {"S": "b"}]}}}),
    ],
)
def test_each_kind_of_value_round_trips(value, stored):
    assert attributes.serialize(value) == stored
    assert attributes.deserialize(stored) == value


def test_numbers_come_back_as_decimals():
    assert type(attributes.deserialize({"N": "3"})) is Decimal


@pytest.mark.parametrize(
    ("value", "refusal"),
    [
        (Decimal("1." + "1" * 38), decimal.Inexact),  # 39 significant digits
        (Decimal("1E+127"), decimal.Overflow),
        (Decimal("Infinity"), TypeError),
        (1.5, TypeError),
        (b"bytes", TypeError),
    ],
)
def test_what_dynamodb_cannot_hold_exactly_is_refused(value, refusal):
    with pytest.raises(refusal):
        attributes.serialize(value)


def test_an_attribute_type_the_table_never_holds_is_refused():
    with pytest.raises(TypeError, match="SS"):
        attributes.deserialize({"SS": ["a"]})
