"""Locally, a function may do what its deployed role may do, and nothing else.

A throwaway function (`probe`) makes whatever boto3 call the event names, in the
local function host, against in-process moto; its stack.yaml permissions are
changed between tests the way a developer would change them.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from woocom.config import Stack, load_stack
from woocom.emulated import dummy_credentials_environment
from woocom.events import ACCOUNT_ID, REGION
from woocom.local import invoke
from woocom.local.cli import banner
from woocom.local.emulator import emulator_client
from woocom.local.functions import FunctionHost, environment_set
from woocom.local.iam import LocalIam, ResourceArns, bucket_arn, table_arn
from woocom.local.runtime import LocalRuntime

TABLE, IMPORTS, SITE, QUEUE = "shop-local-main", "shop-local-imports", "shop-local-site", "jobs"

# Makes the call the event names and reports either the result or the error botocore raised.
PROBE = """
import boto3
from botocore.exceptions import ClientError


def handle(event, context):
    client = boto3.session.Session().client(event["service"])
    try:
        response = getattr(client, event["call"])(**event["params"])
    except ClientError as exc:
        return {
            "error": exc.response["Error"],
            "status": exc.response["ResponseMetadata"]["HTTPStatusCode"],
            "text": str(exc),
        }
    if "Body" in response:
        return {"body": response["Body"].read().decode()}
    return {"ok": True}
"""


def stack_yaml(permissions: str) -> str:
    return textwrap.dedent(
        """
        name: shop
        tables:
          main: {hash_key: pk}
        buckets:
          imports: {}
          site: {}
        queues:
          jobs: {}
        functions:
          probe:
            handler: handler.handle
            permissions:
        """
    ) + textwrap.indent(textwrap.dedent(permissions), "      ")


@pytest.fixture
def aws() -> Iterator[None]:
    with (
        environment_set(dummy_credentials_environment()),
        mock_aws(),
    ):
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        s3 = boto3.client("s3")
        for bucket in (IMPORTS, SITE):
            s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=bucket, Key="imports/a.csv", Body=b"sku\n")
        boto3.client("sqs").create_queue(QueueName=QUEUE)
        yield


class Probe:
    """The probe function of a project whose stack.yaml grants `permissions`."""

    def __init__(self, root: Path, permissions: str) -> None:
        self.root = root
        (root / "functions" / "probe").mkdir(parents=True, exist_ok=True)
        (root / "functions" / "probe" / "__init__.py").write_text("")
        (root / "functions" / "probe" / "handler.py").write_text(PROBE)
        self.declare(permissions)

    def declare(self, permissions: str) -> None:
        (self.root / "stack.yaml").write_text(stack_yaml(permissions))
        self.stack: Stack = load_stack(self.root / "stack.yaml")
        self.iam = LocalIam(
            self.stack,
            ResourceArns(
                tables={"main": table_arn(REGION, ACCOUNT_ID, TABLE)},
                buckets={"imports": bucket_arn(IMPORTS), "site": bucket_arn(SITE)},
                queues={"jobs": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{QUEUE}"},
            ),
            {"probe": "shop-local-probe"},
            ACCOUNT_ID,
        )

    def call(self, service: str, call: str, **params: Any) -> dict[str, Any]:
        host = FunctionHost(self.stack, self.root / "functions", self.iam)
        with host.importable():
            result: dict[str, Any] = host.invoke(
                "probe", {"service": service, "call": call, "params": params}, None
            )
        return result


@pytest.fixture
def probe(tmp_path: Path, aws: None) -> Probe:
    return Probe(tmp_path, "table: {main: read}\nbucket: {imports: read}\n")


def queue_url() -> str:
    return boto3.client("sqs").get_queue_url(QueueName=QUEUE)["QueueUrl"]


def item_count() -> int:
    return boto3.client("dynamodb").scan(TableName=TABLE)["Count"]


def test_read_permission_denies_put_item_until_read_write_is_declared(
    probe: Probe, caplog: pytest.LogCaptureFixture
) -> None:
    put = {"TableName": TABLE, "Item": {"pk": {"S": "p1"}}}
    with caplog.at_level(logging.WARNING, logger="woocom.local.iam"):
        denied = probe.call("dynamodb", "put_item", **put)

    assert denied["error"]["Code"] == "AccessDeniedException"
    assert denied["status"] == 400
    assert denied["text"] == (
        "An error occurred (AccessDeniedException) when calling the PutItem operation: User: "
        f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/shop-local-probe/shop-local-probe is not "
        "authorized to perform: dynamodb:PutItem on resource: "
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{TABLE} because no identity-based "
        "policy allows the dynamodb:PutItem action"
    )
    assert item_count() == 0, "a denied call must not reach the emulator"
    assert "functions.probe.permissions.table.main: read_write" in caplog.text

    probe.declare("table: {main: read_write}\n")
    assert probe.call("dynamodb", "put_item", **put) == {"ok": True}
    assert item_count() == 1


def test_reads_within_the_grant_pass(probe: Probe) -> None:
    assert probe.call("dynamodb", "get_item", TableName=TABLE, Key={"pk": {"S": "x"}}) == {
        "ok": True
    }
    assert probe.call("s3", "get_object", Bucket=IMPORTS, Key="imports/a.csv") == {"body": "sku\n"}
    assert probe.call("s3", "list_objects_v2", Bucket=IMPORTS, Prefix="imports/") == {"ok": True}


def test_transactions_and_batches_are_checked_per_table_and_item(probe: Probe) -> None:
    transaction = probe.call(
        "dynamodb",
        "transact_write_items",
        TransactItems=[{"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t1"}}}}],
    )
    batch = probe.call(
        "dynamodb",
        "batch_write_item",
        RequestItems={TABLE: [{"PutRequest": {"Item": {"pk": {"S": "b1"}}}}]},
    )
    assert "dynamodb:PutItem on resource" in transaction["text"]
    assert "dynamodb:BatchWriteItem on resource" in batch["text"]
    assert item_count() == 0


def test_scan_is_allowed_by_no_level(probe: Probe, caplog: pytest.LogCaptureFixture) -> None:
    probe.declare("table: {main: read_write}\n")
    with caplog.at_level(logging.WARNING, logger="woocom.local.iam"):
        scanned = probe.call("dynamodb", "scan", TableName=TABLE)
    assert scanned["error"]["Code"] == "AccessDeniedException"
    assert "no table access level allows dynamodb:Scan" in caplog.text


def test_s3_outside_the_grant_is_access_denied(
    probe: Probe, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="woocom.local.iam"):
        other_bucket = probe.call("s3", "get_object", Bucket=SITE, Key="imports/a.csv")
        write = probe.call("s3", "put_object", Bucket=IMPORTS, Key="reports/a.json", Body=b"{}")

    assert other_bucket["error"]["Code"] == "AccessDenied"
    assert other_bucket["status"] == 403
    assert f"s3:GetObject on resource: arn:aws:s3:::{SITE}/imports/a.csv" in other_bucket["text"]
    assert write["error"]["Code"] == "AccessDenied"
    assert f"s3:PutObject on resource: arn:aws:s3:::{IMPORTS}/reports/a.json" in write["text"]
    assert "functions.probe.permissions.bucket.site: read" in caplog.text
    assert "functions.probe.permissions.bucket.imports: read_write" in caplog.text
    keys = boto3.client("s3").list_objects_v2(Bucket=IMPORTS)["Contents"]
    assert [o["Key"] for o in keys] == ["imports/a.csv"]


def test_queue_and_unmapped_services_are_denied(
    probe: Probe, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="woocom.local.iam"):
        sent = probe.call("sqs", "send_message", QueueUrl=queue_url(), MessageBody="{}")
        topics = probe.call("sns", "list_topics")
    assert sent["error"]["Code"] == "AccessDeniedException"
    assert f"sqs:SendMessage on resource: arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{QUEUE}" in sent["text"]
    assert "functions.probe.permissions.queue.jobs: send" in caplog.text
    assert topics["error"]["Code"] == "AccessDenied"
    assert "sns:ListTopics on resource: *" in topics["text"]
    assert "* is not a resource of stack.yaml" in caplog.text

    probe.declare("queue: {jobs: send}\n")
    assert probe.call("sqs", "send_message", QueueUrl=queue_url(), MessageBody="{}") == {"ok": True}


def test_calls_outside_an_invocation_are_not_checked(probe: Probe) -> None:
    """The runtime's own clients (provisioning, pollers) act as the emulator's admin."""
    boto3.session.Session().client("dynamodb").put_item(
        TableName=TABLE, Item={"pk": {"S": "tooling"}}
    )
    assert item_count() == 1


# --- through the commands: `woocom invoke` and `woocom dev` --------------------------------

READER_STACK = """
name: iamcheck
tables:
  main: {hash_key: pk}
functions:
  reader:
    handler: handler.handle
    triggers:
      schedule:
        - expression: rate(1 day)
    permissions:
      table: {main: read}
"""

READER = """
import os

import boto3


def handle(event, context):
    boto3.session.Session().client("dynamodb").put_item(
        TableName=os.environ["TABLE_MAIN_NAME"], Item={"pk": {"S": "written"}}
    )
"""


@pytest.fixture(scope="module")
def reader_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    root = tmp_path_factory.mktemp("iamcheck")
    (root / "stack.yaml").write_text(READER_STACK)
    (root / "functions" / "reader").mkdir(parents=True)
    (root / "functions" / "reader" / "__init__.py").write_text("")
    (root / "functions" / "reader" / "handler.py").write_text(READER)
    with LocalRuntime(
        port=0,
        stack_file=root / "stack.yaml",
        seed_file=None,
        outputs_path=root / "local.json",
        reload=False,
    ) as runtime:
        yield runtime


def written(runtime: LocalRuntime) -> bool:
    client = emulator_client("dynamodb", runtime.outputs["aws_endpoint_url"])
    table = runtime.outputs["table_name"]
    return "Item" in client.get_item(TableName=table, Key={"pk": {"S": "written"}})


def test_invoke_denies_the_call_and_no_iam_lets_it_through(
    reader_stack: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--stack", str(reader_stack.stack_file), "--outputs", str(reader_stack.outputs_path)]

    assert invoke.main(["reader", *common]) == 1
    err = capsys.readouterr().err
    assert "AccessDeniedException" in err
    assert "dynamodb:PutItem" in err
    assert not written(reader_stack)

    assert invoke.main(["reader", *common, "--no-iam"]) == 0
    assert "IAM checks OFF" in capsys.readouterr().err
    assert written(reader_stack)


def test_the_dev_runtime_denies_and_records_it(reader_stack: LocalRuntime) -> None:
    with pytest.raises(ClientError) as caught:
        reader_stack.invoke("reader", {})
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert reader_stack.iam is not None
    assert any(
        "functions.reader.permissions.table.main: read_write" in d for d in reader_stack.iam.denials
    )


def test_the_banner_says_whether_iam_is_checked(reader_stack: LocalRuntime) -> None:
    assert "limited to its stack.yaml permissions" in banner(reader_stack)
    reader_stack.enforce_iam = False
    try:
        assert "IAM CHECKS OFF (--no-iam)" in banner(reader_stack)
    finally:
        reader_stack.enforce_iam = True
