"""S3 ObjectCreated events for imports/*.csv -> products upserted, report written, file moved."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from catalog_import.importer import import_csv
from storefront import aws, logs, settings
from storefront.repository import Repository

log = logs.get_logger(__name__)


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    repo = Repository.default()
    expected_bucket = settings.current().require_imports_bucket()
    reports = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # S3 URL-encodes keys in events (a space arrives as '+').
        key = unquote_plus(record["s3"]["object"]["key"])
        with logs.correlated(f"{bucket}/{key}", context):
            if bucket != expected_bucket:
                log.warning("ignoring an object of another bucket", extra={"bucket": bucket})
                continue
            report = import_csv(aws.s3(), repo, bucket, key)
            if report is not None:
                reports.append(report.model_dump(mode="json", exclude={"rejected"}))
    return {"imports": reports}
