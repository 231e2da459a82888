"""Import one CSV of products: stream it, validate every row, upsert the good ones in
batches, write `reports/<name>.json`, move the file to `processed/<name>.csv`.

A bad row is reported (line number, sku, reason) and never stops the others. A
row repeated later in the file wins, as if the rows were applied in order.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, cast

from pydantic import BaseModel, ValidationError

from storefront import logs
from storefront.models import Product, describe_errors
from storefront.orders import utcnow
from storefront.repository import Repository

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logs.get_logger(__name__)

INBOX, REPORTS, PROCESSED = "imports/", "reports/", "processed/"
COLUMNS = ("sku", "name", "description", "category", "price", "currency", "stock")
_BATCH = 25  # one BatchWriteItem
_PROGRESS_EVERY = 5000


class RejectedRow(BaseModel):
    line: int
    sku: str | None
    reason: str


class ImportReport(BaseModel):
    source: str
    accepted: int = 0
    rejected: list[RejectedRow] = []
    processed_key: str | None = None
    ignored_columns: list[str] = []
    error: str | None = None


def _check_row(row: dict[str | None, Any]) -> Product | str:
    """The product of a row, or why the row is rejected."""
    if None in row:
        return f"{len(row[None])} more cell(s) than the header has columns"
    values = {column: row.get(column) for column in COLUMNS}
    empty = [column for column, value in values.items() if value is None]
    if empty:
        return f"missing cell(s): {', '.join(empty)}"
    for value in values.values():
        try:
            str(value).encode("utf-8")
        except UnicodeEncodeError:
            return "the line is not valid UTF-8"
    try:
        return Product.model_validate(values)
    except ValidationError as exc:
        return "; ".join(f"{p['field']}: {p['message']}" for p in describe_errors(exc))


def import_csv(
    s3: S3Client, repo: Repository, bucket: str, key: str, now: datetime | None = None
) -> ImportReport | None:
    """Import `key`; None when it is not an import file or was already processed."""
    if not (key.startswith(INBOX) and key.endswith(".csv")):
        log.info("not an import file; ignored", extra={"key": key})
        return None
    name = key[len(INBOX) : -len(".csv")]
    now = now or utcnow()
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    except s3.exceptions.NoSuchKey:
        # S3 delivers events at least once: a repeat finds the file already moved.
        log.info("file already processed", extra={"key": key})
        return None
    report = ImportReport(source=key)
    # utf-8-sig drops the BOM spreadsheet programs write; bytes that are not UTF-8 are
    # kept as surrogates so only their own row is rejected.
    text = io.TextIOWrapper(
        cast("IO[bytes]", body), encoding="utf-8-sig", errors="surrogateescape", newline=""
    )
    reader = csv.DictReader(text)
    header = [column.strip() for column in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        report.error = (
            f"the header lacks {', '.join(missing)}; the first line must name the columns "
            f"{','.join(COLUMNS)}"
        )
    else:
        reader.fieldnames = header
        report.ignored_columns = [column for column in header if column not in COLUMNS]
        _import_rows(reader, repo, report, now)
    _finish(s3, bucket, key, name, report)
    return report


def _import_rows(
    reader: csv.DictReader[str], repo: Repository, report: ImportReport, now: datetime
) -> None:
    pending: dict[str, Product] = {}
    for row in reader:
        # The file's line number where the row ends (a quoted cell may span lines).
        line = reader.line_num
        checked = _check_row(row)
        if isinstance(checked, str):
            sku = row.get("sku")
            report.rejected.append(RejectedRow(line=line, sku=sku or None, reason=checked))
            continue
        report.accepted += 1
        pending[checked.sku] = checked
        if len(pending) == _BATCH:
            repo.put_products(list(pending.values()), now)
            pending.clear()
        if report.accepted % _PROGRESS_EVERY == 0:
            log.info("import progress", extra={"accepted": report.accepted, "line": line})
    if pending:
        repo.put_products(list(pending.values()), now)


def _finish(s3: S3Client, bucket: str, key: str, name: str, report: ImportReport) -> None:
    processed, report_key = f"{PROCESSED}{name}.csv", f"{REPORTS}{name}.json"
    report.processed_key = processed
    s3.put_object(
        Bucket=bucket,
        Key=report_key,
        Body=json.dumps(report.model_dump(mode="json"), indent=2).encode(),
        ContentType="application/json",
    )
    s3.copy_object(Bucket=bucket, Key=processed, CopySource={"Bucket": bucket, "Key": key})
    s3.delete_object(Bucket=bucket, Key=key)
    log.info(
        "import finished",
        extra={
            "accepted": report.accepted,
            "rejected": len(report.rejected),
            "report": report_key,
            "error": report.error,
        },
    )
