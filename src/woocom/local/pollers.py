"""Deliver queue messages to functions the way Lambda's event sources do.

- `SqsPoller` is an SQS event source mapping: it long-polls the queue, gathers
  up to `batch_size` messages for at most `batching_window` seconds, invokes
  the function once with the batch, and deletes only the messages the handler
  did not list in `batchItemFailures` (ReportBatchItemFailures). A raised
  exception fails the whole batch. Failed messages come back after the queue's
  visibility timeout; SQS itself moves them to the DLQ after `maxReceiveCount`.
- `S3Poller` drains the internal queue a bucket notifies (see provision.py)
  and invokes the function once per S3 event, as S3 invokes Lambda. A failed
  event is retried after the queue's visibility timeout and lands in the
  queue's DLQ after S3_ATTEMPTS attempts, as an asynchronous invocation would.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from woocom import events
from woocom.local.provision import S3_ATTEMPTS
from woocom.local.threads import STOP_TIMEOUT, join

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("woocom.local")

Invoke = Callable[[str, Any], Any]
# (messages, queue ARN) -> the SQS event Lambda would pass.
SqsEventBuilder = Callable[[list["MessageTypeDef"], str], dict[str, Any]]

# Long-poll in short slices so stop() never waits long.
_POLL_SECONDS = 1
_SQS_BATCH_LIMIT = 10  # most messages one ReceiveMessage call returns


class _QueuePoller:
    def __init__(self, sqs: SQSClient, function: str, queue_url: str, invoke: Invoke) -> None:
        self.sqs = sqs
        self.function = function
        self.queue_url = queue_url
        self.invoke = invoke
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"poll-{function}-{queue_url.rsplit('/', 1)[-1]}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the thread to stop after its current poll, without waiting."""
        self._stop.set()

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Stop and wait at most `timeout` s (a handler may be running); False if it runs on."""
        self._stop.set()
        return join(self._thread, timeout)

    def _receive(self, count: int, wait: int) -> list[MessageTypeDef]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(count, _SQS_BATCH_LIMIT),
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def _delete(self, messages: list[MessageTypeDef]) -> None:
        for start in range(0, len(messages), _SQS_BATCH_LIMIT):
            chunk = messages[start : start + _SQS_BATCH_LIMIT]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the emulator stopping under us, or a bug: log, keep polling
                if self._stop.is_set():
                    return
                log.error("%s poller: %s", self.function, traceback.format_exc().rstrip())
                self._stop.wait(_POLL_SECONDS)

    def poll_once(self) -> int:
        """Receive and deliver once; the number of messages handled."""
        raise NotImplementedError


class SqsPoller(_QueuePoller):
    def __init__(
        self,
        sqs: SQSClient,
        function: str,
        queue_url: str,
        queue_arn: str,
        batch_size: int,
        batching_window: int,
        invoke: Invoke,
        build_event: SqsEventBuilder,
    ) -> None:
        super().__init__(sqs, function, queue_url, invoke)
        self.queue_arn = queue_arn
        self.batch_size = batch_size
        self.batching_window = batching_window
        self.build_event = build_event

    def collect(self) -> list[MessageTypeDef]:
        """A batch: up to batch_size messages, gathered for at most batching_window seconds."""
        batch = {m["MessageId"]: m for m in self._receive(self.batch_size, _POLL_SECONDS)}
        deadline = time.monotonic() + self.batching_window
        while batch and len(batch) < self.batch_size and time.monotonic() < deadline:
            more = self._receive(self.batch_size - len(batch), 0)
            # With a short visibility timeout a message can come back within the window:
            # keep it once, with its latest receipt handle.
            batch.update((m["MessageId"], m) for m in more)
            if not more:
                self._stop.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        return list(batch.values())

    def poll_once(self) -> int:
        batch = self.collect()
        if not batch:
            return 0
        event = self.build_event(batch, self.queue_arn)
        try:
            result = self.invoke(self.function, event)
        except Exception:
            log.error(
                "%s raised on a batch of %d; every message will be retried:\n%s",
                self.function,
                len(batch),
                traceback.format_exc().rstrip(),
            )
            return len(batch)
        failed = failed_message_ids(result, {m["MessageId"] for m in batch})
        if failed is None:
            log.error(
                "%s reported an unknown or empty itemIdentifier in batchItemFailures: "
                "the whole batch of %d will be retried, as Lambda does",
                self.function,
                len(batch),
            )
            return len(batch)
        if failed:
            log.warning(
                "%s reported %d of %d message(s) as failed: they will be retried",
                self.function,
                len(failed),
                len(batch),
            )
        self._delete([m for m in batch if m["MessageId"] not in failed])
        return len(batch)


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str] | None:
    """Ids the handler reported in batchItemFailures; None when the report is invalid."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return set()
    failed: set[str] = set()
    for failure in result["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in batch_ids:
            return None
        failed.add(identifier)
    return failed


def s3_lambda_event(notification: dict[str, Any]) -> dict[str, Any]:
    """The event Lambda gets for a notification moto posted to SQS.

    moto's records miss fields AWS sends and encode '/' in keys, which S3 does
    not: rebuild them with the builder the unit tests use, so a handler sees one shape.
    """
    records = notification["Records"]
    bucket = records[0]["s3"]["bucket"]["name"]
    keys = [unquote_plus(r["s3"]["object"]["key"]) for r in records]
    sizes = {k: r["s3"]["object"].get("size", 0) for k, r in zip(keys, records, strict=True)}
    return events.s3_event(bucket, keys, sizes=sizes, region=records[0]["awsRegion"])


class S3Poller(_QueuePoller):
    def poll_once(self) -> int:
        messages = self._receive(_SQS_BATCH_LIMIT, _POLL_SECONDS)
        for message in messages:
            notification = json.loads(message["Body"])
            # S3 posts a test event when a notification is configured; Lambda never sees it.
            if notification.get("Event") == "s3:TestEvent":
                self._delete([message])
                continue
            event = s3_lambda_event(notification)
            try:
                self.invoke(self.function, event)
            except Exception:
                attempt = message.get("Attributes", {}).get("ApproximateReceiveCount", "?")
                keys = [unquote_plus(r["s3"]["object"]["key"]) for r in event["Records"]]
                log.error(
                    "%s raised on %s (attempt %s of %d; then the event goes to %s-dlq):\n%s",
                    self.function,
                    ", ".join(keys),
                    attempt,
                    S3_ATTEMPTS,
                    self.queue_url.rsplit("/", 1)[-1],
                    traceback.format_exc().rstrip(),
                )
                continue
            self._delete([message])
        return len(messages)
