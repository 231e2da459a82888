"""Locally, a function reads the secrets granted to it in stack.yaml, and no other.

Secrets Manager authorizes a call on the secret's full ARN (its name, "-" and six random
characters) whether the caller names it by name or by ARN; the local check does the same.
"""

from __future__ import annotations

import json
import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.unit.functions.support import InProcessEmulator
from tests.unit.local.test_iam import PROBE
from woocom.config import Stack, load_stack
from woocom.emulated import dummy_credentials_environment
from woocom.events import ACCOUNT_ID, REGION
from woocom.local import invoke, provision
from woocom.local.functions import FunctionHost, environment_set
from woocom.local.iam import LocalIam, Request, ResourceArns, local_iam, table_arn
from woocom.local.runtime import LocalRuntime

PAYMENT, OTHER = "shop-local-payment", "shop-local-other"


def stack_yaml(permissions: str) -> str:
    return textwrap.dedent(
        """
        name: shop
        tables:
          main: {hash_key: pk}
        secrets:
          payment: {description: the provider's key}
          other: {}
        functions:
          probe:
            handler: handler.handle
            permissions:
        """
    ) + textwrap.indent(textwrap.dedent(permissions), "      ")


@pytest.fixture
def secret_arns() -> Iterator[dict[str, str]]:
    with (
        environment_set(dummy_credentials_environment()),
        mock_aws(),
    ):
        client = boto3.client("secretsmanager")
        yield {
            "payment": client.create_secret(Name=PAYMENT, SecretString="sk_test")["ARN"],
            "other": client.create_secret(Name=OTHER, SecretString="other")["ARN"],
        }


class SecretProbe:
    def __init__(self, root: Path, arns: dict[str, str], permissions: str) -> None:
        folder = root / "functions" / "probe"
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "handler.py").write_text(PROBE)
        (root / "stack.yaml").write_text(stack_yaml(permissions))
        self.root = root
        self.stack: Stack = load_stack(root / "stack.yaml")
        self.iam = LocalIam(
            self.stack,
            ResourceArns(
                tables={"main": table_arn(REGION, ACCOUNT_ID, "shop-local-main")},
                buckets={},
                queues={},
                secrets=arns,
            ),
            {"probe": "shop-local-probe"},
            ACCOUNT_ID,
        )

    def call(self, call: str, **params: Any) -> dict[str, Any]:
        host = FunctionHost(self.stack, self.root / "functions", self.iam)
        with host.importable():
            result: dict[str, Any] = host.invoke(
                "probe", {"service": "secretsmanager", "call": call, "params": params}, None
            )
        return result


def test_a_granted_secret_is_read_by_name_and_by_arn(
    tmp_path: Path, secret_arns: dict[str, str]
) -> None:
    probe = SecretProbe(tmp_path, secret_arns, "secret: {payment: read}\n")
    assert probe.call("get_secret_value", SecretId=PAYMENT) == {"ok": True}
    assert probe.call("get_secret_value", SecretId=secret_arns["payment"]) == {"ok": True}


def test_another_secret_of_the_stack_is_denied_on_its_full_arn(
    tmp_path: Path, secret_arns: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    probe = SecretProbe(tmp_path, secret_arns, "secret: {payment: read}\n")
    with caplog.at_level(logging.WARNING, logger="woocom.local.iam"):
        denied = probe.call("get_secret_value", SecretId=OTHER)

    assert denied["error"]["Code"] == "AccessDeniedException"
    assert denied["status"] == 400
    assert (
        "is not authorized to perform: secretsmanager:GetSecretValue on resource: "
        f"{secret_arns['other']} because no identity-based policy allows" in denied["text"]
    )
    assert "functions.probe.permissions.secret.other: read" in caplog.text


def test_without_a_grant_no_secret_is_readable(tmp_path: Path, secret_arns: dict[str, str]) -> None:
    probe = SecretProbe(tmp_path, secret_arns, "table: {main: read}\n")
    for secret in (PAYMENT, secret_arns["payment"], "not-of-this-stack"):
        denied = probe.call("get_secret_value", SecretId=secret)
        assert denied["error"]["Code"] == "AccessDeniedException", secret


def test_read_does_not_allow_changing_the_value(
    tmp_path: Path, secret_arns: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    probe = SecretProbe(tmp_path, secret_arns, "secret: {payment: read}\n")
    with caplog.at_level(logging.WARNING, logger="woocom.local.iam"):
        denied = probe.call("put_secret_value", SecretId=PAYMENT, SecretString="stolen")
    assert denied["error"]["Code"] == "AccessDeniedException"
    assert "no secret access level allows secretsmanager:PutSecretValue" in caplog.text
    value = boto3.client("secretsmanager").get_secret_value(SecretId=PAYMENT)["SecretString"]
    assert value == "sk_test"


def test_the_runtime_grants_each_function_the_secrets_stack_yaml_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(provision, "LOCAL_SECRETS", tmp_path / "absent.json")
    stack = load_stack()
    with (
        environment_set(dummy_credentials_environment()),
        mock_aws(),
    ):
        resources = provision.provision(stack, InProcessEmulator(), "woocom-local")  # type: ignore[arg-type]
        iam = local_iam(stack, resources)
    read = Request("secretsmanager:GetSecretValue", resources.secret_arns["payment_provider"])
    assert iam.roles["order_worker"].allows(read)
    assert [name for name, role in iam.roles.items() if role.allows(read)] == ["order_worker"]


READS_ITS_SECRET = """
import os

import boto3


def handle(event, context):
    name = os.environ["SECRET_PAYMENT_NAME"]
    return {"value": boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]}
"""


@pytest.mark.slow  # one whole local stack
def test_invoke_runs_a_function_that_reads_its_secret_on_the_running_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`nox -s invoke -- <fn>` against `nox -s dev` on a stack that declares secrets."""
    values = tmp_path / "secrets.json"
    values.write_text('{"payment": "sk_local"}')
    monkeypatch.setattr(provision, "LOCAL_SECRETS", values)
    folder = tmp_path / "functions" / "probe"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "handler.py").write_text(READS_ITS_SECRET)
    (tmp_path / "stack.yaml").write_text(stack_yaml("secret: {payment: read}\n"))
    outputs = tmp_path / "local.json"
    with LocalRuntime(
        port=0,
        stack_file=tmp_path / "stack.yaml",
        seed_file=None,
        outputs_path=outputs,
        reload=False,
    ):
        common = ["--stack", str(tmp_path / "stack.yaml"), "--outputs", str(outputs)]
        assert invoke.main(["probe", *common]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out) == {"value": "sk_local"}
