"""S3 ObjectCreated events for imports/*.csv -> products upserted, report written, file moved.

A file too big for one invocation is imported over several: the importer stops
`_SAFETY_MARGIN_MS` before the deadline, checkpoints, and copies the file onto
itself so S3 invokes this function again (catalog_import/importer.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from catalog_import.importer import import_csv
from storefront import aws, logs, settings
from storefront.repository import Repository

log = logs.get_logger(__name__)

# Time kept for what follows the last batch: the checkpoint, the report, the copy.
_SAFETY_MARGIN_MS = 20_000


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    repo = Repository.default()
    expected_bucket = settings.current().require_imports_bucket()
    remaining = context.get_remaining_time_in_millis
    owner = str(context.aws_request_id)
    imports = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        # S3 URL-encodes keys in events (a space arrives as '+').
        key = unquote_plus(record["s3"]["object"]["key"])
        with logs.correlated(f"{bucket}/{key}", context):
            if bucket != expected_bucket:
                log.warning("ignoring an object of another bucket", extra={"bucket": bucket})
                continue
            result = import_csv(
                aws.s3(),
                repo,
                bucket,
                key,
                owner=owner,
                time_is_up=lambda: remaining() < _SAFETY_MARGIN_MS,
                # The lease lasts as long as this invocation can: a retry after a crash
                # or a timeout takes the run over once it has run out.
                lease=timedelta(milliseconds=remaining()),
            )
            if result is not None and result.report is not None:
                summary = result.report.model_dump(
                    mode="json", exclude={"rejected", "repeated_skus", "header_found"}
                )
                imports.append({"outcome": result.outcome, **summary})
    return {"imports": imports}
