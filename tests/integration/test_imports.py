"""CSV drops into the imports bucket: good rows become products, bad rows are reported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from woocom.local.client import HttpClient, wait_for

from .support import Catalog, Target

pytestmark = pytest.mark.destructive


def test_csv_drop_upserts_good_rows_and_reports_bad_ones(
    target: Target, api: HttpClient, catalog: Catalog
) -> None:
    good, also_good = catalog.sku("csv-good"), catalog.sku("csv-also")
    bad_price, bad_stock = catalog.sku("csv-price"), catalog.sku("csv-stock")
    category = catalog.category("csv")
    csv = (
        "sku,name,description,category,price,currency,stock\n"
        f"{good},Imported mug,From a CSV,{category},7.25,EUR,12\n"
        f"{bad_price},Bad price,,{category},cheap,EUR,1\n"
        f"{also_good},Imported pen,,{category},1.10,EUR,100\n"
        f"{bad_stock},Bad stock,,{category},2.00,EUR,-4\n"
    )
    catalog.created += [good, also_good]
    bucket = target.outputs["imports_bucket"]
    s3 = target.aws("s3")
    name = f"{catalog.prefix}-products"
    s3.put_object(Bucket=bucket, Key=f"imports/{name}.csv", Body=csv.encode())

    def report() -> dict[str, Any] | None:
        try:
            body = s3.get_object(Bucket=bucket, Key=f"reports/{name}.json")["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        found: dict[str, Any] = json.loads(body)
        return found

    written = wait_for(report, what=f"reports/{name}.json")
    assert written["accepted"] == 2
    rejected = {row["sku"]: row for row in written["rejected"]}
    assert set(rejected) == {bad_price, bad_stock}
    assert rejected[bad_price]["line"] == 3
    assert "price" in rejected[bad_price]["reason"]
    assert "stock" in rejected[bad_stock]["reason"]

    imported = api.get(f"/products/{good}")
    assert imported.status == 200
    assert imported.json()["price"] == "7.25"
    assert imported.json()["stock"] == 12
    listed = api.get(f"/products?category={category}").json()["items"]
    assert sorted(p["sku"] for p in listed) == sorted([good, also_good])
    assert api.get(f"/products/{bad_price}").status == 404

    processed = s3.list_objects_v2(Bucket=bucket, Prefix=f"processed/{name}")
    assert [o["Key"] for o in processed.get("Contents", [])] == [f"processed/{name}.csv"]
    inbox = s3.list_objects_v2(Bucket=bucket, Prefix=f"imports/{name}")
    assert inbox.get("KeyCount", 0) == 0
    for key in (f"reports/{name}.json", f"processed/{name}.csv"):
        s3.delete_object(Bucket=bucket, Key=key)
