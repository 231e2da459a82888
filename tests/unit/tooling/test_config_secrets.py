"""stack.yaml: credentials are declared secrets, and production can never simulate payments."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from tests.unit.functions.support import InProcessEmulator
from tests.unit.tooling.test_config import minimal, problems_of, write_stack
from woocom.config import load_stack, resource_environment
from woocom.local import provision


def with_worker(**worker: object) -> dict[str, object]:
    return minimal(worker={"handler": "handler.handle", **worker})


def test_simulated_payments_in_environment_are_refused(tmp_path: Path) -> None:
    path = write_stack(tmp_path, with_worker(environment={"PAYMENT_PROVIDER": "simulated"}))
    [problem] = problems_of(path)
    assert "functions.worker.environment" in problem
    assert "PAYMENT_PROVIDER: simulated would apply to production too" in problem


@pytest.mark.parametrize(
    "name", ["PAYMENT_API_KEY", "STRIPE_SECRET", "WEBHOOK_TOKEN", "DB_PASSWORD"]
)
def test_credentials_in_environment_are_refused(tmp_path: Path, name: str) -> None:
    path = write_stack(tmp_path, with_worker(environment={name: "sk_live_abc"}))
    [problem] = problems_of(path)
    assert f"{name} looks like a credential: declare it under `secrets:`" in problem


def test_a_granted_secret_must_be_declared(tmp_path: Path) -> None:
    path = write_stack(tmp_path, with_worker(permissions={"secret": {"payment": "read"}}))
    [problem] = problems_of(path)
    assert "secret 'payment' is not declared under secrets:" in problem


def test_declared_and_granted_secrets_reach_the_function_by_name(tmp_path: Path) -> None:
    data = with_worker(permissions={"secret": {"payment": "read"}})
    data["secrets"] = {"payment": {"description": "provider key"}}
    stack = load_stack(write_stack(tmp_path, data))
    env = resource_environment(
        stack.functions["worker"].permissions, {}, {}, {}, {"payment": "shop-local-payment"}
    )
    assert env == {"SECRET_PAYMENT_NAME": "shop-local-payment"}


def test_the_repository_grants_the_payment_secret_to_the_worker_only() -> None:
    stack = load_stack()
    granted = {name for name, fn in stack.functions.items() if fn.permissions.secret}
    assert granted == {"order_worker"}
    assert "PAYMENT_PROVIDER" not in stack.functions["order_worker"].environment


def test_local_stacks_get_their_secret_values_from_the_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = tmp_path / "secrets.json"
    values.write_text(json.dumps({"payment_provider": "sk_test_local"}))
    monkeypatch.setattr(provision, "LOCAL_SECRETS", values)
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        created = provision.provision(load_stack(), InProcessEmulator(), "woocom-local")  # type: ignore[arg-type]
        secret = created.secrets["payment_provider"]
        stored = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(
            SecretId=secret
        )
    assert secret == "woocom-local-payment-provider"
    assert stored["SecretString"] == "sk_test_local"
    worker = load_stack().functions["order_worker"].permissions
    assert created.environment(worker)["SECRET_PAYMENT_PROVIDER_NAME"] == secret


def test_a_secret_variable_is_the_platforms_to_set(tmp_path: Path) -> None:
    path = write_stack(tmp_path, with_worker(environment={"SECRET_PAYMENT_NAME": "x"}))
    [problem] = problems_of(path)
    assert "SECRET_PAYMENT_NAME: set by the platform" in problem


def test_a_secret_level_comes_from_the_access_table(tmp_path: Path) -> None:
    data = with_worker(permissions={"secret": {"payment": "write"}})
    data["secrets"] = {"payment": {}}
    [problem] = problems_of(write_stack(tmp_path, data))
    assert "functions.worker.permissions.secret.payment" in problem
    assert "secret access 'write' must be one of read" in problem
