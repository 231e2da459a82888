"""Import one CSV of products: stream it, validate every row, upsert the good ones in
batches, write the report, move the file to `processed/<name>.csv`.

A bad row is reported (line number, sku, reason) and never stops the others. A
sku repeated later in the file wins, as if the rows were applied in order; the
report lists it. Memory stays flat whatever the file: rows are streamed, and the
report keeps exact counts but lists only the first `IMPORT_REPORT_MAX_ROWS`
rejected rows and repeated skus. (The set of skus seen, for the repeats, grows
with the number of distinct skus: about 100 bytes each.)

A file too big for one invocation is imported over several (functions/README.md,
"CSV import"): before the Lambda deadline the importer saves its progress (byte
offset, line, counts, the report so far) in `checkpoints/`, records the
checkpoint on the run's item in the table, and copies the file onto itself,
which raises a new S3 event; that invocation resumes at the byte offset. One
invocation at a time holds the run's lease, so overlapping deliveries of an
event never import a row twice.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from storefront import logs, settings
from storefront.models import Product, describe_errors, utcnow
from storefront.repository import ImportRun, Repository

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logs.get_logger(__name__)

INBOX, REPORTS, PROCESSED, CHECKPOINTS = "imports/", "reports/", "processed/", "checkpoints/"
COLUMNS = ("sku", "name", "description", "category", "price", "currency", "stock")
# Object metadata the importer puts on a file it continues later (x-amz-meta-...).
RUN_METADATA, SEGMENT_METADATA = "woocom-import-run", "woocom-import-segment"
_BATCH = 25  # one BatchWriteItem
_CHUNK = 256 * 1024  # bytes read from S3 at a time
_PROGRESS_EVERY = 5000
_REASON_MAX = 300  # characters of a rejection reason kept in the report

Outcome = Literal["complete", "continuing", "busy", "done"]


class RejectedRow(BaseModel):
    line: int
    sku: str | None
    reason: str


class RepeatedSku(BaseModel):
    sku: str
    line: int
    replaces_line: int


class ImportReport(BaseModel):
    source: str
    run: str
    rows: int = 0  # data rows read (blank lines are not rows)
    accepted: int = 0
    rejected_count: int = 0
    rejected: list[RejectedRow] = []  # the first `list_limit` of them, in file order
    rejected_not_listed: int = 0
    repeated_count: int = 0
    repeated_skus: list[RepeatedSku] = []  # the first `list_limit`; the last row wins
    repeated_not_listed: int = 0
    list_limit: int = 1000
    header_found: list[str] = []
    ignored_columns: list[str] = []
    processed_key: str | None = None
    invocations: int = 1
    error: str | None = None


class Checkpoint(BaseModel):
    """What the next invocation needs to resume exactly where this one stopped."""

    offset: int  # bytes of the file consumed (header included)
    line: int  # physical lines consumed
    columns: dict[str, int]  # column -> position in a row
    width: int  # cells in the header
    seen: dict[str, int]  # sku -> line of its latest row
    report: ImportReport


@dataclass(frozen=True)
class ImportResult:
    outcome: Outcome
    report: ImportReport | None


class _Lines:
    """Decoded lines of a byte stream, keeping count of the bytes handed out, so that
    after csv has read a row `offset` is exactly where the next row starts."""

    def __init__(self, stream: Any, offset: int) -> None:
        self._stream = stream
        self.offset = offset

    def __iter__(self) -> Iterator[str]:
        # Bytes that are not UTF-8 become surrogates: only their own row is rejected.
        decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        first = self.offset == 0
        pending = b""
        while chunk := self._stream.read(_CHUNK):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw + b"\n"
                self.offset += len(line)
                text = decoder.decode(line)
                if first:  # the BOM spreadsheet programs write
                    text, first = text.removeprefix("\ufeff"), False
                yield text
        if pending:
            self.offset += len(pending)
            yield decoder.decode(pending, final=True).removeprefix("\ufeff" if first else "")


def run_id(head: Mapping[str, Any]) -> str:
    """The import run of an uploaded object: kept in its metadata once the importer has
    started it, else derived from the upload itself, so every delivery of the same
    upload agrees on it and a re-upload under the same name gets a new one."""
    metadata = head.get("Metadata") or {}
    if metadata.get(RUN_METADATA):
        return str(metadata[RUN_METADATA])
    modified: datetime = head["LastModified"]
    upload = f"{head.get('ETag', '')}/{head.get('VersionId', '')}"
    digest = hashlib.sha256(upload.encode()).hexdigest()[:8]
    return f"{modified:%Y%m%dT%H%M%SZ}-{digest}"


def _normalized(header: list[str]) -> list[str]:
    return [cell.strip().lower() for cell in header]


def _check_header(found: list[str]) -> tuple[dict[str, int], str | None]:
    """Column positions of a header (case and surrounding spaces ignored), or why the
    header cannot be used."""
    names = _normalized(found)
    expected = ",".join(COLUMNS)
    shown = ",".join(cell.strip() for cell in found) or "(an empty first line)"
    missing = [column for column in COLUMNS if column not in names]
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if missing:
        return {}, (
            f"the header lacks {', '.join(missing)}: found {shown!r}, expected the columns "
            f"{expected} (in any order, any case)"
        )
    if repeated:
        return {}, f"the header names {', '.join(repeated)} more than once: found {shown!r}"
    return {column: names.index(column) for column in COLUMNS}, None


def _check_row(cells: list[str], columns: dict[str, int], width: int) -> Product | str:
    """The product of a row, or why the row is rejected."""
    if len(cells) > width:
        return f"{len(cells) - width} more cell(s) than the header has columns"
    missing = [column for column, at in columns.items() if at >= len(cells)]
    if missing:
        return f"missing cell(s): {', '.join(missing)}"
    values = {column: cells[at].strip() for column, at in columns.items()}
    for value in values.values():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "the line is not valid UTF-8"
    try:
        return Product.model_validate(values)
    except ValidationError as exc:
        return "; ".join(f"{p['field']}: {p['message']}" for p in describe_errors(exc))


def _readable(value: str) -> str:
    """A cell as it can go into JSON (undecodable bytes shown as U+FFFD)."""
    return value.encode("utf-8", "replace").decode("utf-8")[:_REASON_MAX]


def import_csv(
    s3: S3Client,
    repo: Repository,
    bucket: str,
    key: str,
    *,
    owner: str,
    time_is_up: Callable[[], bool] = lambda: False,
    lease: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> ImportResult | None:
    """Import `key`, or the part of it that fits before `time_is_up()`; None when it is
    not an import file or is already gone. `owner` names this invocation (its request
    id) and `lease` how long it may hold the run (until its own deadline)."""
    if not (key.startswith(INBOX) and key.endswith(".csv")):
        log.info("not an import file; ignored", extra={"key": key})
        return None
    now = now or utcnow()
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if not _is_missing(exc):
            raise
        # S3 delivers events at least once: a repeat, or an overlapping copy of the
        # event, finds the file already imported and moved.
        log.info("file already imported and moved; nothing to do", extra={"key": key})
        return None
    run = run_id(head)
    source = f"{bucket}/{key}"
    claimed = repo.claim_import(source, run, owner, now, now + lease)
    if claimed is None:
        state = repo.get_import(source, run)
        if state is not None and state.done:
            # Finished, but the file was not moved (the invocation stopped in between).
            _move(s3, bucket, key, _names(key, run)[1])
            log.info("import already complete; file moved", extra={"key": key, "run": run})
            return ImportResult("done", None)
        log.info(
            "another invocation is importing this file; leaving it to it",
            extra={"key": key, "run": run},
        )
        return ImportResult("busy", None)
    upload = dict(head)
    return _Import(s3, repo, bucket, key, run, owner, upload, claimed, now).go(time_is_up)


def _is_missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")


def _names(key: str, run: str) -> tuple[str, str]:
    """(report key of this run, processed key) of an import file."""
    name = key[len(INBOX) : -len(".csv")]
    return f"{REPORTS}{name}.{run}.json", f"{PROCESSED}{name}.csv"


def _move(s3: S3Client, bucket: str, key: str, processed: str) -> None:
    try:
        s3.copy_object(Bucket=bucket, Key=processed, CopySource={"Bucket": bucket, "Key": key})
    except ClientError as exc:
        if not _is_missing(exc):
            raise
        log.info("file already moved by another delivery", extra={"key": key})
        return
    s3.delete_object(Bucket=bucket, Key=key)


class _Import:
    """One invocation's share of an import run."""

    def __init__(
        self,
        s3: S3Client,
        repo: Repository,
        bucket: str,
        key: str,
        run: str,
        owner: str,
        head: dict[str, Any],
        claimed: ImportRun,
        now: datetime,
    ) -> None:
        self.s3, self.repo, self.bucket, self.key = s3, repo, bucket, key
        self.run, self.owner, self.claimed, self.now = run, owner, claimed, now
        self.etag: str = head["ETag"]
        self.content_type: str = head.get("ContentType") or "text/csv"
        self.size: int = head.get("ContentLength", 0)
        self.source = f"{bucket}/{key}"

    def go(self, time_is_up: Callable[[], bool]) -> ImportResult:
        checkpoint = self._resume()
        offset = 0 if checkpoint is None else checkpoint.offset
        # IfMatch: a file replaced since is a new upload, with an event (and run) of its own.
        if offset >= self.size > 0:
            body: Any = io.BytesIO()  # the last checkpoint fell on the end of the file
        elif offset:
            body = self.s3.get_object(
                Bucket=self.bucket, Key=self.key, IfMatch=self.etag, Range=f"bytes={offset}-"
            )["Body"]
        else:
            body = self.s3.get_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)["Body"]
        lines = _Lines(body, offset)
        reader = csv.reader(lines)
        if checkpoint is None:
            checkpoint = self._start(next(reader, []))
            if checkpoint.report.error is not None:
                return self._finish(checkpoint)
        if self._import_rows(reader, lines, checkpoint, time_is_up):
            return self._finish(checkpoint)
        return self._pause(checkpoint)

    def _resume(self) -> Checkpoint | None:
        if self.claimed.state_key is None:
            return None
        raw = self.s3.get_object(Bucket=self.bucket, Key=self.claimed.state_key)["Body"].read()
        checkpoint = Checkpoint.model_validate_json(gzip.decompress(raw))
        checkpoint.report.invocations += 1
        log.info(
            "import resumed",
            extra={"run": self.run, "line": checkpoint.line, "offset": checkpoint.offset},
        )
        return checkpoint

    def _start(self, header: list[str]) -> Checkpoint:
        """The state of a run before its first row; `report.error` when the header
        cannot be used (the file is then reported and moved, nothing imported)."""
        limit = settings.current().import_report_max_rows
        report = ImportReport(source=self.key, run=self.run, list_limit=limit)
        report.header_found = [_readable(cell.strip()) for cell in header]
        columns, report.error = _check_header(header)
        report.ignored_columns = [
            cell for cell in report.header_found if cell and cell.lower() not in COLUMNS
        ]
        return Checkpoint(
            offset=0, line=1, columns=columns, width=len(header), seen={}, report=report
        )

    def _import_rows(
        self,
        reader: Any,
        lines: _Lines,
        checkpoint: Checkpoint,
        time_is_up: Callable[[], bool],
    ) -> bool:
        """Rows until the end (True) or until time is up (False, progress in checkpoint)."""
        report, seen = checkpoint.report, checkpoint.seen
        # csv counts the lines it read; from the start that includes the header line.
        base_line = checkpoint.line if checkpoint.offset else 0
        pending: dict[str, Product] = {}
        handled = 0
        for cells in reader:
            line = base_line + reader.line_num  # the file's line where the row ends
            if not cells:
                continue  # a blank line
            report.rows += 1
            handled += 1
            checked = _check_row(cells, checkpoint.columns, checkpoint.width)
            if isinstance(checked, str):
                report.rejected_count += 1
                if len(report.rejected) < report.list_limit:
                    at = checkpoint.columns.get("sku", 0)
                    sku = _readable(cells[at].strip()) if at < len(cells) else ""
                    reason = _readable(checked)
                    report.rejected.append(RejectedRow(line=line, sku=sku or None, reason=reason))
                else:
                    report.rejected_not_listed += 1
            else:
                report.accepted += 1
                earlier = seen.get(checked.sku)
                if earlier is not None:
                    report.repeated_count += 1
                    if len(report.repeated_skus) < report.list_limit:
                        report.repeated_skus.append(
                            RepeatedSku(sku=checked.sku, line=line, replaces_line=earlier)
                        )
                    else:
                        report.repeated_not_listed += 1
                seen[checked.sku] = line
                pending[checked.sku] = checked  # one item per sku in a batch: the last
                if len(pending) == _BATCH:
                    self.repo.put_products(list(pending.values()), self.now)
                    pending.clear()
            if report.rows % _PROGRESS_EVERY == 0:
                log.info("import progress", extra={"rows": report.rows, "line": line})
            # Every _BATCH rows, so every invocation moves the import forward; what is
            # pending is written first, so the checkpoint never leaves a row half-done.
            if handled % _BATCH == 0 and time_is_up():
                if pending:
                    self.repo.put_products(list(pending.values()), self.now)
                checkpoint.offset, checkpoint.line = lines.offset, line
                return False
        if pending:
            self.repo.put_products(list(pending.values()), self.now)
        checkpoint.offset, checkpoint.line = lines.offset, base_line + reader.line_num
        return True

    def _save(self, checkpoint: Checkpoint) -> str:
        segment = self.claimed.segment + 1
        state_key = f"{CHECKPOINTS}{self.key[len(INBOX) :]}.{self.run}/{segment}-{self.owner}.gz"
        self.s3.put_object(
            Bucket=self.bucket,
            Key=state_key,
            Body=gzip.compress(checkpoint.model_dump_json().encode(), compresslevel=5),
            ContentType="application/json",
            ContentEncoding="gzip",
        )
        return state_key

    def _pause(self, checkpoint: Checkpoint) -> ImportResult:
        state_key = self._save(checkpoint)
        if not self.repo.advance_import(
            self.source, self.run, self.owner, self.claimed.segment, state_key, self.now
        ):
            log.warning("lost the import lease; another invocation continues", extra={})
            return ImportResult("busy", None)
        # A copy onto itself (new metadata) raises a fresh ObjectCreated event: the next
        # invocation, with a full timeout, resumes from the checkpoint just recorded.
        self.s3.copy_object(
            Bucket=self.bucket,
            Key=self.key,
            CopySource={"Bucket": self.bucket, "Key": self.key},
            CopySourceIfMatch=self.etag,
            MetadataDirective="REPLACE",
            Metadata={RUN_METADATA: self.run, SEGMENT_METADATA: str(self.claimed.segment + 1)},
            ContentType=self.content_type,
        )
        report = checkpoint.report
        log.info(
            "import paused before the deadline; it continues in a new invocation",
            extra={"run": self.run, "line": checkpoint.line, "rows": report.rows},
        )
        return ImportResult("continuing", report)

    def _finish(self, checkpoint: Checkpoint) -> ImportResult:
        report = checkpoint.report
        report_key, processed = _names(self.key, self.run)
        report.processed_key = processed
        document = json.dumps(report.model_dump(mode="json"), indent=2).encode()
        # The run's own report is kept; `reports/<name>.json` is the latest one.
        for target in (report_key, f"{REPORTS}{self.key[len(INBOX) : -len('.csv')]}.json"):
            self.s3.put_object(
                Bucket=self.bucket, Key=target, Body=document, ContentType="application/json"
            )
        state_key = report_key  # the finished run points at its report
        if not self.repo.advance_import(
            self.source, self.run, self.owner, self.claimed.segment, state_key, self.now, done=True
        ):
            log.warning("lost the import lease while finishing", extra={"run": self.run})
            return ImportResult("busy", None)
        _move(self.s3, self.bucket, self.key, processed)
        self._forget_checkpoints()
        log.info(
            "import finished",
            extra={
                "run": self.run,
                "rows": report.rows,
                "accepted": report.accepted,
                "rejected": report.rejected_count,
                "repeated": report.repeated_count,
                "invocations": report.invocations,
                "report": report_key,
                "error": report.error,
            },
        )
        return ImportResult("complete", report)

    def _forget_checkpoints(self) -> None:
        prefix = f"{CHECKPOINTS}{self.key[len(INBOX) :]}.{self.run}/"
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        keys: list[Any] = [{"Key": o["Key"]} for o in listed.get("Contents", [])]
        if keys:
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
