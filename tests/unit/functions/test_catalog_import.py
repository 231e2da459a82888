"""CSV drops under imports/ on real S3 events: validated rows, report, file moved."""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import time_machine

from storefront import settings
from storefront.errors import ConfigurationError
from storefront.repository import Repository
from tests.factories import s3_put_event
from tests.unit.functions.support import ScriptedContext, invoke_with

HEADER = "sku,name,description,category,price,currency,stock\n"
PLENTY = 10**9  # ms: a context that never runs out
RUN_REPORT = re.compile(r"^reports/(?P<name>.+)\.\d{8}T\d{6}Z-[0-9a-f]{8}\.json$")


def run_import(bucket, key, remaining_ms=PLENTY, ms_per_call=0):
    """One invocation on the S3 event of `key`, with a clock the test controls."""
    context = ScriptedContext("catalog_import", remaining_ms, ms_per_call)
    return invoke_with("catalog_import", s3_put_event(bucket, key), context)


@pytest.fixture
def drop(resources):
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = resources.buckets["imports"]

    def put(name, content):
        key = f"imports/{name}"
        body = content if isinstance(content, bytes) else content.encode()
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        return key

    def put_and_import(name, content):
        return run_import(bucket, put(name, content))

    put_and_import.put = put
    put_and_import.s3 = s3
    put_and_import.bucket = bucket
    return put_and_import


def report(drop, name):
    """The latest report of `name` (reports/<name>.json)."""
    body = drop.s3.get_object(Bucket=drop.bucket, Key=f"reports/{name}.json")["Body"].read()
    return json.loads(body)


def keys(drop, prefix=""):
    listed = drop.s3.list_objects_v2(Bucket=drop.bucket, Prefix=prefix).get("Contents", [])
    return sorted(o["Key"] for o in listed)


@pytest.fixture
def written(monkeypatch):
    """Every sku the importer writes to the table, as often as it writes it."""
    counts = Counter()
    original = Repository.put_products

    def put_products(self, products, now):
        counts.update(p.sku for p in products)
        return original(self, products, now)

    monkeypatch.setattr(Repository, "put_products", put_products)
    return counts


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
    assert (found["rows"], found["accepted"], found["rejected_count"]) == (8, 2, 6)
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
    assert keys(drop, "processed/") == ["processed/spring catalog.csv"]
    of_this_run, latest = keys(drop, "reports/")
    assert latest == "reports/spring catalog.json"
    assert RUN_REPORT.match(of_this_run)["name"] == "spring catalog"
    assert keys(drop, "imports/") == keys(drop, "checkpoints/") == []


def test_many_rows_go_in_batches_and_a_repeated_sku_is_reported_and_its_last_row_wins(drop):
    rows = "".join(f"SKU-{i:04d},Item {i},,bulk,1.00,EUR,{i}\n" for i in range(60))
    rows += "SKU-0001,Item 1 again,,bulk,2.00,EUR,99\n"
    drop("bulk.csv", HEADER + rows)
    found = report(drop, "bulk")
    assert (found["rows"], found["accepted"], found["repeated_count"]) == (61, 61, 1)
    assert found["repeated_skus"] == [{"sku": "SKU-0001", "line": 62, "replaces_line": 3}]
    page = Repository.default().list_products("bulk", 100, None)
    assert len(page.items) == 60
    assert Repository.default().get_product("SKU-0001").stock == 99


def test_a_header_in_another_case_with_spaces_is_accepted_and_cells_are_trimmed(drop):
    drop(
        "loose.csv",
        " SKU , Name ,Description,CATEGORY,Price, currency ,Stock\n"
        "  MUG-1 ,  Mug  ,  Big mug ,kitchen , 12.99 , EUR , 5 \n",
    )
    found = report(drop, "loose")
    assert (found["accepted"], found["rejected_count"], found["error"]) == (1, 0, None)
    mug = Repository.default().get_product("MUG-1")
    assert (mug.name, mug.description, mug.category, str(mug.price), mug.stock) == (
        "Mug",
        "Big mug",
        "kitchen",
        "12.99",
        5,
    )


def test_a_header_without_the_required_columns_rejects_the_file_but_still_reports(drop):
    drop("wrong.csv", "sku,title,price\nMUG-1,Mug,1.00\n")
    found = report(drop, "wrong")
    assert found["accepted"] == 0
    assert "description" in found["error"]
    assert "found 'sku,title,price'" in found["error"]  # what it read, and what it needs
    assert "sku,name,description,category,price,currency,stock" in found["error"]
    assert found["header_found"] == ["sku", "title", "price"]
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


def test_a_repeated_event_for_a_moved_file_and_other_keys_are_ignored(drop, capsys):
    drop("once.csv", HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,1\n")
    again = run_import(drop.bucket, "imports/once.csv")
    assert again == {"imports": []}
    assert "already imported and moved" in capsys.readouterr().out
    other = run_import(drop.bucket, "reports/once.json")
    assert other == {"imports": []}
    foreign = invoke_with(
        "catalog_import",
        s3_put_event("someone-elses-bucket", "imports/x.csv"),
        ScriptedContext("catalog_import", PLENTY),
    )
    assert foreign == {"imports": []}


def test_a_reupload_under_the_same_name_keeps_the_earlier_report(drop):
    drop("weekly.csv", HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,1\n")
    drop("weekly.csv", HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,7\nbad row\n")
    runs = [key for key in keys(drop, "reports/") if RUN_REPORT.match(key)]
    assert len(runs) == 2
    bodies = [
        json.loads(drop.s3.get_object(Bucket=drop.bucket, Key=k)["Body"].read()) for k in runs
    ]
    assert sorted((b["accepted"], b["rejected_count"]) for b in bodies) == [(1, 0), (1, 1)]
    assert report(drop, "weekly")["rejected_count"] == 1  # the latest
    assert Repository.default().get_product("MUG-1").stock == 7


# --- memory and time: bounded reports, checkpoints, overlapping deliveries -------------


def test_a_file_of_bad_rows_gives_a_bounded_report_with_exact_counts(drop, monkeypatch):
    monkeypatch.setenv("IMPORT_REPORT_MAX_ROWS", "5")
    settings.reset()
    good = "".join(f"OK-{i},Item,,bulk,1.00,EUR,1\n" for i in range(3))
    bad = "".join(f"BAD-{i},Item,,bulk,free,EUR,1\n" for i in range(3000))
    drop("junk.csv", HEADER + good + bad)
    found = report(drop, "junk")
    assert (found["rows"], found["accepted"], found["rejected_count"]) == (3003, 3, 3000)
    assert [r["line"] for r in found["rejected"]] == [5, 6, 7, 8, 9]
    assert (found["rejected_not_listed"], found["list_limit"]) == (2995, 5)


@pytest.mark.parametrize("value", ["0", "-3", "many", "10001"])
def test_an_invalid_report_row_limit_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("IMPORT_REPORT_MAX_ROWS", value)
    settings.reset()
    with pytest.raises(ConfigurationError, match="IMPORT_REPORT_MAX_ROWS"):
        settings.current()
    settings.reset()


def import_until_done(drop, key, rows_per_invocation):
    """Invoke as S3 would after each pause (the importer's copy onto itself raises the
    event) until the file is moved; the number of invocations it took."""
    invocations = 0
    while key in keys(drop, "imports/"):
        invocations += 1
        assert invocations < 1000, "the import makes no progress"
        # The handler reads the clock once for the lease, then every 25 rows; after
        # `rows_per_invocation` rows it is under its 20 s safety margin.
        checks = rows_per_invocation // 25 - 1
        result = run_import(drop.bucket, key, remaining_ms=20_000 + checks, ms_per_call=1)
        if key in keys(drop, "imports/"):
            assert result["imports"][0]["outcome"] == "continuing"
            head = drop.s3.head_object(Bucket=drop.bucket, Key=key)
            assert "woocom-import-run" in head["Metadata"]  # the checkpoint's event
    return invocations


def test_a_200000_row_file_completes_over_several_invocations_with_exact_counts(
    drop, written, monkeypatch
):
    monkeypatch.setenv("IMPORT_REPORT_MAX_ROWS", "10")
    settings.reset()
    # Mostly bad rows (cheap: no table write) with good ones and a repeated sku spread
    # through the file, so checkpoints fall between them.
    lines = []
    for i in range(200_000):
        if i % 1000 == 0:
            lines.append(f"OK-{i // 1000:03d},Item,,big,1.00,EUR,{i}\n")
        else:
            lines.append(f"BAD-{i},Item,,big,1.00,EUR,-1\n")
    lines[150_500] = "OK-000,Item again,,big,2.00,EUR,777\n"  # repeats line 2, wins
    key = drop.put("big.csv", HEADER + "".join(lines))

    invocations = import_until_done(drop, key, rows_per_invocation=30_000)

    assert invocations >= 6
    found = report(drop, "big")
    assert found["invocations"] == invocations
    assert (found["rows"], found["accepted"], found["rejected_count"]) == (200_000, 201, 199_799)
    assert len(found["rejected"]) == 10
    assert found["rejected_not_listed"] == 199_789
    assert found["repeated_skus"] == [{"sku": "OK-000", "line": 150_502, "replaces_line": 2}]
    # Nothing imported twice: each good row went to the table once.
    assert written == Counter({f"OK-{i:03d}": 1 for i in range(1, 200)} | {"OK-000": 2})
    assert Repository.default().get_product("OK-000").stock == 777
    assert keys(drop, "checkpoints/") == []


def test_a_resumed_import_numbers_lines_and_keeps_the_last_row_across_a_checkpoint(drop):
    rows = [f"SKU-{i:03d},Item {i},,split,1.00,EUR,{i}\n" for i in range(100)]
    rows.insert(70, "SKU-010,Item 10 again,,split,3.00,EUR,1010\n")
    rows.insert(80, "SKU-X,Broken,,split,1.00,EUR,-1\n")
    key = drop.put("split.csv", HEADER + "".join(rows))
    assert import_until_done(drop, key, rows_per_invocation=25) == 5
    found = report(drop, "split")
    assert (found["rows"], found["accepted"], found["rejected_count"]) == (102, 101, 1)
    assert found["rejected"][0]["line"] == 82
    assert found["repeated_skus"] == [{"sku": "SKU-010", "line": 72, "replaces_line": 12}]
    assert Repository.default().get_product("SKU-010").stock == 1010


@pytest.mark.emulator
def test_an_overlapping_duplicate_event_leaves_the_import_to_the_first_delivery(drop, monkeypatch):
    key = drop.put("dup.csv", HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,1\n")
    writing, release = threading.Event(), threading.Event()
    original = Repository.put_products

    def slow_put(self, products, now):
        if not writing.is_set():  # only the first delivery's first batch waits
            writing.set()
            assert release.wait(timeout=60)
        return original(self, products, now)

    monkeypatch.setattr(Repository, "put_products", slow_put)
    results = {}
    first = threading.Thread(
        target=lambda: results.setdefault("first", run_import(drop.bucket, key))
    )
    first.start()
    try:
        assert writing.wait(timeout=60)  # the first delivery is importing
        results["duplicate"] = run_import(drop.bucket, key)
    finally:
        release.set()
        first.join(timeout=60)
    assert results["duplicate"] == {"imports": []}
    assert results["first"]["imports"][0]["accepted"] == 1
    assert run_import(drop.bucket, key) == {"imports": []}  # a late copy: already moved
    assert len([k for k in keys(drop, "reports/") if RUN_REPORT.match(k)]) == 1
    assert keys(drop, "imports/") == []


def test_the_example_file_of_the_readme_imports_as_documented(drop):
    content = (Path(__file__).parents[3] / "examples" / "products.csv").read_bytes()
    drop("products.csv", content)
    found = report(drop, "products")
    assert (found["rows"], found["accepted"], found["rejected_count"]) == (5, 4, 1)
    assert found["rejected"] == [
        {
            "line": 6,
            "sku": "LAMP-401",
            "reason": (
                "price: '39,90' is not an amount such as \"12.99\" (digits, at most two decimals)"
            ),
        }
    ]
    assert Repository.default().get_product("TEA-201").name == "Green tea, loose leaf"


def test_a_checkpoint_taken_on_the_last_row_finishes_on_the_next_invocation(drop):
    rows = "".join(f"SKU-{i:03d},Item {i},,edge,1.00,EUR,{i}\n" for i in range(50))
    key = drop.put("edge.csv", HEADER + rows)
    # 25 rows per invocation: the second one stops exactly at the end of the file.
    assert import_until_done(drop, key, rows_per_invocation=25) == 3
    assert (report(drop, "edge")["rows"], report(drop, "edge")["accepted"]) == (50, 50)


def test_a_crashed_invocation_is_resumed_from_its_last_checkpoint_with_exact_counts(
    drop, monkeypatch
):
    rows = "".join(f"SKU-{i:03d},Item {i},,crash,1.00,EUR,{i}\n" for i in range(100))
    key = drop.put("crash.csv", HEADER + rows)
    # First invocation: 25 rows, then a checkpoint.
    first = run_import(drop.bucket, key, remaining_ms=20_000, ms_per_call=1)
    assert first["imports"][0]["outcome"] == "continuing"
    original = Repository.put_products
    calls = []

    def fail_on_second_batch(self, products, now):
        calls.append(len(products))
        if len(calls) == 2:
            raise RuntimeError("the invocation dies here")
        return original(self, products, now)

    monkeypatch.setattr(Repository, "put_products", fail_on_second_batch)
    crashing = ScriptedContext("catalog_import", PLENTY)
    with pytest.raises(RuntimeError):
        invoke_with("catalog_import", s3_put_event(drop.bucket, key), crashing)
    monkeypatch.setattr(Repository, "put_products", original)
    # Another delivery while the crashed invocation's lease runs: left alone.
    assert run_import(drop.bucket, key) == {"imports": []}
    # Lambda retries an asynchronous invocation with the same request id: it takes over.
    retry = ScriptedContext("catalog_import", PLENTY)
    retry.aws_request_id = crashing.aws_request_id
    done = invoke_with("catalog_import", s3_put_event(drop.bucket, key), retry)
    assert done["imports"][0]["outcome"] == "complete"
    found = report(drop, "crash")
    # Counted from the checkpoint, not from what the crashed invocation had done.
    assert (found["rows"], found["accepted"], found["invocations"]) == (100, 100, 2)
    assert Repository.default().get_product("SKU-099").stock == 99


def test_once_the_lease_of_a_crashed_invocation_runs_out_any_delivery_takes_over(drop, monkeypatch):
    key = drop.put("lease.csv", HEADER + "MUG-1,Mug,,kitchen,1.00,EUR,1\n")
    original = Repository.put_products

    def crash(self, products, now):
        raise RuntimeError("the invocation dies here")

    monkeypatch.setattr(Repository, "put_products", crash)
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        with pytest.raises(RuntimeError):
            run_import(drop.bucket, key, remaining_ms=120_000)  # holds the lease 120 s
        monkeypatch.setattr(Repository, "put_products", original)
        clock.move_to(start + timedelta(seconds=119))
        assert run_import(drop.bucket, key) == {"imports": []}  # still held
        clock.move_to(start + timedelta(seconds=121))
        taken_over = run_import(drop.bucket, key)
    assert taken_over["imports"][0]["outcome"] == "complete"
    assert Repository.default().get_product("MUG-1").stock == 1
