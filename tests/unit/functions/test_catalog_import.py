"""CSV drops under imports/ on real S3 events: validated rows, report, file moved."""

from __future__ import annotations

import json

import boto3
import pytest

from storefront.repository import Repository
from tests.factories import s3_put_event
from tests.unit.functions.support import invoke

HEADER = "sku,name,description,category,price,currency,stock\n"


@pytest.fixture
def drop(resources):
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = resources.buckets["imports"]

    def put_and_import(name, content):
        key = f"imports/{name}"
        s3.put_object(
            Bucket=bucket, Key=key, Body=content if isinstance(content, bytes) else content.encode()
        )
        return invoke("catalog_import", s3_put_event(bucket, key))

    put_and_import.s3 = s3
    put_and_import.bucket = bucket
    return put_and_import


def report(drop, name):
    body = drop.s3.get_object(Bucket=drop.bucket, Key=f"reports/{name}.json")["Body"].read()
    return json.loads(body)


def keys(drop):
    listed = drop.s3.list_objects_v2(Bucket=drop.bucket).get("Contents", [])
    return sorted(o["Key"] for o in listed)


def test_good_rows_are_upserted_bad_rows_reported_and_the_file_moved(drop):
    csv = (
        "\ufeff"
        + HEADER  # the BOM spreadsheet programs write
        + "MUG-1,Mug,Big mug,kitchen,12.99,EUR,5\n"
        + "BAD 1,Thing,,kitchen,1.00,EUR,1\n"
        + 'TEA-1,"Tea, green","Line one\nline two",tea,4.5,EUR,3\n'
        + "PEN-1,Pen,,office,1.999,EUR,2\n"
        + "CUP-1,Cup,,kitchen,3.00,EUR,-4\n"
        + "\n"
        + "LID-1,Lid,,kitchen,1.00,XXX,1\n"
        + "SHORT-1,Short\n"
        + "LONG-1,Long,,kitchen,1.00,EUR,1,extra\n"
    )
    result = drop("spring catalog.csv", csv)
    assert result["imports"][0]["accepted"] == 2
    found = report(drop, "spring catalog")
    assert found["source"] == "imports/spring catalog.csv"
    assert found["accepted"] == 2
    rejected = {(r["line"], r["sku"]): r["reason"] for r in found["rejected"]}
    assert set(rejected) == {
        (3, "BAD 1"),
        (6, "PEN-1"),
        (7, "CUP-1"),
        (9, "LID-1"),
        (10, "SHORT-1"),
        (11, "LONG-1"),
    }
    assert "sku" in rejected[(3, "BAD 1")]
    assert "price" in rejected[(6, "PEN-1")]
    assert "stock" in rejected[(7, "CUP-1")]
    assert "currency" in rejected[(9, "LID-1")]
    assert "missing" in rejected[(10, "SHORT-1")]
    assert "more cell" in rejected[(11, "LONG-1")]
    repo = Repository.default()
    assert repo.get_product("MUG-1").stock == 5
    tea = repo.get_product("TEA-1")
    assert (tea.name, tea.description, str(tea.price)) == (
        "Tea, green",
        "Line one\nline two",
        "4.50",
    )
    assert keys(drop) == ["processed/spring catalog.csv", "reports/spring catalog.json"]


def test_many_rows_go_in_batches_and_a_repeated_sku_keeps_its_last_row(drop):
    rows = "".join(f"SKU-{i:04d},Item {i},,bulk,1.00,EUR,{i}\n" for i in range(60))
    rows += "SKU-0001,Item 1 again,,bulk,2.00,EUR,99\n"
    drop("bulk.csv", HEADER + rows)
    assert report(drop, "bulk")["accepted"] == 61
    page = Repository.default().list_products("bulk", 100, None)
    assert len(page.items) == 60
    assert Repository.default().get_product("SKU-0001").stock == 99


def test_a_header_without_the_required_columns_rejects_the_file_but_still_reports(drop):
    drop("wrong.csv", "sku,title,price\nMUG-1,Mug,1.00\n")
    found = report(drop, "wrong")
    assert found["accepted"] == 0
    assert "description" in found["error"]
    assert "processed/wrong.csv" in keys(drop)
    assert Repository.default().get_product("MUG-1") is None


def test_extra_columns_are_ignored_and_listed(drop):
    drop(
        "extra.csv",
        "sku,name,description,category,price,currency,stock,notes\n"
        "MUG-1,Mug,,kitchen,1.00,EUR,1,fragile\n",
    )
    found = report(drop, "extra")
    assert (found["accepted"], found["ignored_columns"]) == (1, ["notes"])


def test_a_row_that_is_not_utf8_is_rejected_alone(drop):
    content = (HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,1\n").encode() + (
        b"BAD-1,Caf\xe9,,kitchen,1.00,EUR,1\n"
    )
    drop("latin1.csv", content)
    found = report(drop, "latin1")
    assert found["accepted"] == 1
    assert found["rejected"][0]["line"] == 3
    assert "UTF-8" in found["rejected"][0]["reason"]


def test_a_repeated_event_for_a_moved_file_and_other_keys_are_ignored(drop, resources):
    drop("once.csv", HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,1\n")
    again = invoke("catalog_import", s3_put_event(drop.bucket, "imports/once.csv"))
    assert again == {"imports": []}
    other = invoke("catalog_import", s3_put_event(drop.bucket, "reports/once.json"))
    assert other == {"imports": []}
    foreign = invoke("catalog_import", s3_put_event("someone-elses-bucket", "imports/x.csv"))
    assert foreign == {"imports": []}
