"""Helpers the function tests import: invoke a handler, read the orders queue.

Fixtures live in conftest.py; these are plain functions a test module imports.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any

import boto3

from tests.factories import context
from woocom.local.provision import Resources

REGION = "us-east-1"


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


def to_result(response: dict[str, Any]) -> ApiResult:
    text = response["body"]
    body = json.loads(text) if text else None
    return ApiResult(response["statusCode"], body, response["headers"])
