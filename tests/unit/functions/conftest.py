"""Fixtures for the function tests: moto in process, resources created from stack.yaml.

The table, buckets and queues are made by the local runtime's provisioner from
the real `stack.yaml`, so keys and indexes are never written twice. `call`
invokes a real handler with a real event shape and returns what Lambda would.
Plain helpers that test modules import live in `support.py`; this file holds
only fixtures (pytest discovers it; nothing should import from it).

A test that sends AWS requests from several threads at once is marked
`@pytest.mark.emulator`: its resources live on the embedded emulator (moto
server, `woocom.local.emulator`) instead of moto in process. moto's DynamoDB
backend is not thread-safe; the emulator serves DynamoDB one request at a time,
as DynamoDB isolates transactions, so concurrency is tested where `nox -s dev`
serves it, with the one mechanism that makes moto safe for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from moto import mock_aws

from storefront import aws
from tests.factories import api_event
from tests.unit.functions.support import ApiResult, InProcessEmulator, invoke, to_result
from woocom.config import Stack, load_stack
from woocom.emulated import dummy_credentials_environment
from woocom.local.emulator import Emulator
from woocom.local.provision import Resources, provision


@pytest.fixture(scope="session")
def stack() -> Stack:
    return load_stack()


@contextmanager
def _in_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with mock_aws():
        yield InProcessEmulator()


@contextmanager
def _on_the_emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    emulator = Emulator().start()
    try:
        for name, value in emulator.environment().items():
            monkeypatch.setenv(name, value)  # every client the functions create goes there
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def resources(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Resources]:
    """Every resource of stack.yaml on moto, and the environment every function gets.

    moto in process, or the embedded emulator for a test marked `emulator`.
    """
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        **dummy_credentials_environment(),
        "WOOCOM_ENV": "test",
        "LOG_LEVEL": "INFO",
    }.items():
        monkeypatch.setenv(name, value)
    backend: Callable[[pytest.MonkeyPatch], AbstractContextManager[Any]] = (
        _on_the_emulator if request.node.get_closest_marker("emulator") else _in_process
    )
    with backend(monkeypatch) as emulator:
        created = provision(stack, emulator, "woocom-test")
        for fn in stack.functions.values():
            for name, value in {**created.environment(fn.permissions), **fn.environment}.items():
                monkeypatch.setenv(name, value)
        aws.reset()
        yield created
    aws.reset()


@pytest.fixture
def api(resources: Resources, stack: Stack) -> Callable[..., ApiResult]:
    """api("GET", "/products/{sku}", sku="MUG-1") -> ApiResult, routed like stack.yaml says."""
    owner = {(trigger.method, trigger.path): name for name, trigger in stack.routes()}

    def call(method: str, resource: str, **kwargs: Any) -> ApiResult:
        return to_result(invoke(owner[(method, resource)], api_event(method, resource, **kwargs)))

    return call
