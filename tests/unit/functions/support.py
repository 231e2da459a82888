"""Helpers the function tests import: invoke a handler, read the orders queue.

Fixtures live in conftest.py; these are plain functions a test module imports.
"""

from __future__ import annotations

import importlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

import boto3

from tests.factories import context
from woocom.emulated import REGION
from woocom.local.provision import Resources


@dataclass
class InProcessEmulator:
    """The slice of woocom.local.emulator.Emulator the provisioner uses, on moto in process."""

    def dynamodb(self) -> Any:
        return boto3.client("dynamodb", region_name=REGION)

    def s3(self) -> Any:
        return boto3.client("s3", region_name=REGION)

    def sqs(self) -> Any:
        return boto3.client("sqs", region_name=REGION)

    def cognito(self) -> Any:
        return boto3.client("cognito-idp", region_name=REGION)

    def secretsmanager(self) -> Any:
        return boto3.client("secretsmanager", region_name=REGION)


def queued_messages(resources: Resources) -> list[dict[str, Any]]:
    """What the orders queue holds (up to 10), with attributes, as ReceiveMessage returns it."""
    sqs = boto3.client("sqs", region_name=REGION)
    found = sqs.receive_message(
        QueueUrl=resources.queues["orders"].url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
    )
    messages: list[dict[str, Any]] = found.get("Messages", [])
    return messages


def queued_order_ids(resources: Resources) -> list[str]:
    return [json.loads(message["Body"])["order_id"] for message in queued_messages(resources)]


@dataclass
class ApiResult:
    status: int
    body: Any
    headers: dict[str, str]


def invoke(function: str, event: dict[str, Any]) -> Any:
    """Call the real handler of `function` the way Lambda does."""
    module = importlib.import_module(f"{function}.handler")
    return module.handle(event, context(function))


class ScriptedContext:
    """A Lambda context whose clock moves only when the handler looks at it: each
    get_remaining_time_in_millis() call costs `ms_per_call`. Tests of "stop before the
    timeout" then depend on the handler's steps, never on the speed of the machine."""

    def __init__(self, function_name: str, remaining_ms: int, ms_per_call: int = 0) -> None:
        self.function_name = function_name
        self.aws_request_id = f"req-{uuid.uuid4().hex[:12]}"
        self.remaining_ms = remaining_ms
        self.ms_per_call = ms_per_call
        self.calls = 0

    def get_remaining_time_in_millis(self) -> int:
        self.calls += 1
        remaining = self.remaining_ms
        self.remaining_ms = max(0, self.remaining_ms - self.ms_per_call)
        return remaining


def invoke_with(function: str, event: dict[str, Any], context: Any) -> Any:
    module = importlib.import_module(f"{function}.handler")
    return module.handle(event, context)


def to_result(response: dict[str, Any]) -> ApiResult:
    text = response["body"]
    body = json.loads(text) if text else None
    return ApiResult(response["statusCode"], body, response["headers"])
