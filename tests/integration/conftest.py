"""The target under test, reached only through its outputs: HTTP API, buckets, queues.

`--target local` starts the embedded stack in this process (so coverage sees the
handlers) with a one-minute order expiry and the expiry sweep every 5 seconds;
`--target localstack` brings up Docker + Terraform; any other name reads
`.woocom/outputs/<name>.json` of a deployed stack.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from woocom.local.client import HttpClient
from woocom.local.cognito import ADMIN_GROUP
from woocom.local.runtime import LocalRuntime
from woocom.outputs import read_outputs

from .support import UNAVAILABLE_EMAIL, Catalog, SuiteUsers, Target, place_order

# Local target: orders expire after a minute and the sweep runs every few seconds, so the
# expiry test waits about a minute instead of the production half hour.
LOCAL_ORDER_MAX_AGE_MINUTES = 1
LOCAL_EXPIRY_SCHEDULE = "rate(5 seconds)"


@pytest.fixture(scope="session")
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    name: str = request.config.getoption("--target")
    if name == "local":
        with LocalRuntime(
            port=0,
            seed_file=None,
            overrides={"ORDER_MAX_AGE_MINUTES": str(LOCAL_ORDER_MAX_AGE_MINUTES)},
            schedules={"expire_orders": LOCAL_EXPIRY_SCHEDULE},
            outputs_path=tmp_path_factory.mktemp("outputs") / "local.json",
            reload=False,
            # Each function may only do what its stack.yaml permissions grant (local/iam.py):
            # the suite passing with no denial proves the declarations complete.
            enforce_iam=True,
        ) as runtime:
            yield Target(
                name,
                runtime.outputs,
                runtime.outputs["admin_token"],
                runtime.outputs["user_token"],
                LOCAL_ORDER_MAX_AGE_MINUTES,
            )
            assert runtime.iam is not None
            assert runtime.iam.denials == [], "a function needs a permission stack.yaml lacks"
        return
    if name == "localstack":
        from woocom.local import localstack

        with localstack.running() as outputs:
            yield Target(name, outputs, *localstack.tokens(outputs))
        return
    outputs = read_outputs(name)
    admin_token = os.environ.get("WOOCOM_ADMIN_TOKEN")
    client_id = outputs.get("user_pool_integration_client_id")
    if admin_token or not client_id:
        # Given tokens, or production (no admin-auth client there): the admin tests
        # need WOOCOM_ADMIN_TOKEN / WOOCOM_USER_TOKEN and are skipped without them.
        yield Target(name, outputs, admin_token, os.environ.get("WOOCOM_USER_TOKEN"))
        return
    # A non-production stack: the suite mints its own tokens, and removes its users after.
    target = Target(name, outputs)
    users = SuiteUsers(target.aws("cognito-idp"), outputs["user_pool_id"], client_id)
    try:
        target.admin_token = users.token("admin", (ADMIN_GROUP,))
        target.user_token = users.token("shopper")
        yield target
    finally:
        users.delete()


@pytest.fixture(scope="session")
def api(target: Target) -> HttpClient:
    return target.client()


def _token_client(target: Target, token: str | None, variable: str) -> HttpClient:
    if not token:
        pytest.skip(
            f"no {variable.split('_')[1].lower()} token for target {target.name!r}: "
            f"set {variable} to an ID token of its user pool"
        )
    return target.client(token)


@pytest.fixture(scope="session")
def admin(target: Target) -> HttpClient:
    return _token_client(target, target.admin_token, "WOOCOM_ADMIN_TOKEN")


@pytest.fixture(scope="session")
def shopper(target: Target) -> HttpClient:
    return _token_client(target, target.user_token, "WOOCOM_USER_TOKEN")


@pytest.fixture
def catalog(admin: HttpClient, target: Target) -> Iterator[Catalog]:
    # Short, unique and valid as both sku and category: it-<run>-<test number>.
    prefix = f"it-{target.run_id}-{uuid.uuid4().hex[:6]}"
    created = Catalog(admin, prefix)
    yield created
    created.cleanup()


@pytest.fixture(scope="session", autouse=True)
def stale_order(request: pytest.FixtureRequest) -> dict[str, Any] | None:
    """An order the worker cannot confirm, placed at the start for the expiry test at the end.

    Only where the suite knows the order age is short (local); elsewhere None.
    """
    if request.config.getoption("--target") != "local":
        return None
    target: Target = request.getfixturevalue("target")
    admin_client = target.client(target.admin_token)
    catalog = Catalog(admin_client, f"it-{target.run_id}-expiry")
    product = catalog.add("stale", stock=5)
    response = place_order(target.client(), UNAVAILABLE_EMAIL, {product["sku"]: 2})
    assert response.status == 201, response
    order: dict[str, Any] = response.json()
    return {"order": order, "sku": product["sku"]}
