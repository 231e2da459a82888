"""DynamoDB attribute values: what the table stores is exactly what boto3 stored before."""

from __future__ import annotations

import decimal
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from storefront import attributes
from storefront.models import Product
from storefront.repository import _order_item, _product_item
from tests.factories import pending_order
from woocom.emulated import dummy_credentials_environment
from woocom.paths import REPO_ROOT

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


def test_a_tuple_is_stored_as_a_list_as_boto3_stored_it():
    assert attributes.serialize(("a", 1)) == TypeSerializer().serialize(("a", 1))


def test_no_handler_imports_boto3():
    """The point of storefront.attributes and botocore's session: ~15 ms of every cold start."""
    code = (
        "import importlib, sys\n"
        "for name in ('catalog_api', 'orders_api', 'order_worker', 'catalog_import',"
        " 'expire_orders'):\n"
        "    importlib.import_module(f'{name}.handler')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 's3transfer')))\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT / "functions"),
        **dummy_credentials_environment(),
    }
    found = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]", found.stdout


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
