"""Fixtures for the function tests: moto in process, resources created from stack.yaml.

The table, buckets and queues are made by the local runtime's provisioner from
the real `stack.yaml`, so keys and indexes are never written twice. `call`
invokes a real handler with a real event shape and returns what Lambda would.
Plain helpers that test modules import live in `support.py`; this file holds
only fixtures (pytest discovers it; nothing should import from it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler

from storefront import aws
from tests.factories import api_event
from tests.unit.functions.support import (  # noqa: F401 - re-exported for older imports
    REGION,
    ApiResult,
    invoke,
    queued_messages,
    queued_order_ids,
    to_result,
)
from woocom.config import Stack, load_stack
from woocom.local.provision import Resources, provision


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


@pytest.fixture(scope="session")
def stack() -> Stack:
    return load_stack()


@pytest.fixture
def resources(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Resources]:
    """Every resource of stack.yaml on moto, and the environment every function gets."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "WOOCOM_ENV": "test",
        "LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        created = provision(stack, InProcessEmulator(), "woocom-test")  # type: ignore[arg-type]
        for fn in stack.functions.values():
            for name, value in {**created.environment(fn.permissions), **fn.environment}.items():
                monkeypatch.setenv(name, value)
        aws.reset()
        yield created
    aws.reset()


@pytest.fixture
def serialized_dynamodb() -> Iterator[None]:
    """One DynamoDB request at a time, as DynamoDB isolates transactions.

    moto checks a transaction's conditions and applies its writes without a lock,
    and rolls back by restoring a snapshot of the whole table: with threads, one
    request could undo another's committed write. Real DynamoDB serialises them.
    """
    lock = threading.Lock()
    original = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with lock:
            return original(self)

    with mock.patch.object(DynamoHandler, "call_action", call_action):
        yield


@pytest.fixture
def api(resources: Resources, stack: Stack) -> Callable[..., ApiResult]:
    """api("GET", "/products/{sku}", sku="MUG-1") -> ApiResult, routed like stack.yaml says."""
    owner = {(trigger.method, trigger.path): name for name, trigger in stack.routes()}

    def call(method: str, resource: str, **kwargs: Any) -> ApiResult:
        return to_result(invoke(owner[(method, resource)], api_event(method, resource, **kwargs)))

    return call
