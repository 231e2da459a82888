"""Create on the emulator every resource `stack.yaml` declares, named like Terraform names them.

Names are `<stack>-<environment>-<resource>` (`woocom-local-main`); bucket names
use hyphens because S3 forbids underscores. S3 triggers are wired the way the
local runtime delivers them: the bucket notifies an internal queue per trigger
(S3 can notify SQS on the emulator, but it cannot run a Lambda), and the runtime
polls that queue and calls the function with the S3 event as its payload.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from woocom.config import Permissions, Stack, resource_environment
from woocom.local.cognito import ADMIN_GROUP, create_user, id_token, random_password
from woocom.local.emulator import Emulator
from woocom.paths import STATE_DIR

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

log = logging.getLogger("woocom.local")

DAY = 86_400
LOCAL_SECRETS = STATE_DIR / "secrets.json"
ADMIN_USER = "local-admin"
SHOPPER_USER = "local-shopper"


@dataclass(frozen=True)
class QueueRef:
    url: str
    arn: str
    dlq_url: str | None = None


@dataclass(frozen=True)
class S3Delivery:
    """S3 events for `function` arrive on `queue` (failed events land in its DLQ)."""

    function: str
    bucket: str
    queue: QueueRef


@dataclass
class Resources:
    prefix: str
    tables: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)
    queues: dict[str, QueueRef] = field(default_factory=dict)
    # stack.yaml name -> secret name (SECRET_<NAME>_NAME) and -> its ARN (woocom.local.iam)
    secrets: dict[str, str] = field(default_factory=dict)
    secret_arns: dict[str, str] = field(default_factory=dict)
    s3_deliveries: list[S3Delivery] = field(default_factory=list)
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    user_passwords: dict[str, str] = field(default_factory=dict)

    def environment(self, permissions: Permissions) -> dict[str, str]:
        """TABLE_/BUCKET_/QUEUE_/SECRET_ variables for a function with these permissions."""
        return resource_environment(
            permissions,
            self.tables,
            self.buckets,
            {name: queue.url for name, queue in self.queues.items()},
            self.secrets,
        )


def resource_prefix(stack: Stack, environment: str = "local") -> str:
    return f"{stack.name}-{environment}"


def function_name(stack: Stack, function: str) -> str:
    """The AWS name of a local function (and of its schedule rule)."""
    return resource_name(resource_prefix(stack), function)


def resource_name(prefix: str, name: str) -> str:
    """The emulator name of table or queue `name` (`woocom-local-main`)."""
    return f"{prefix}-{name}"


def bucket_name(prefix: str, name: str) -> str:
    return resource_name(prefix, name).replace("_", "-")


def provision(stack: Stack, emulator: Emulator, prefix: str) -> Resources:
    resources = Resources(prefix=prefix)
    _create_tables(stack, emulator, resources)
    _create_buckets(stack, emulator, resources)
    _create_queues(stack, emulator, resources)
    _create_secrets(stack, emulator, resources)
    _wire_s3_triggers(stack, emulator, resources)
    _create_user_pool(emulator.cognito(), resources)
    return resources


def local_secret_values(path: Path | None = None) -> dict[str, str]:
    """Values of stack.yaml's `secrets:` for local runs: {"<name>": "<value>"} (git-ignored)."""
    path = path or LOCAL_SECRETS
    if not path.is_file():
        return {}
    values = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        raise ValueError(f"{path} must hold one JSON object of secret name => string value")
    return values


def _create_secrets(stack: Stack, emulator: Emulator, resources: Resources) -> None:
    """Every declared secret, valued from .woocom/secrets.json, else a visible placeholder."""
    if not stack.secrets:
        return
    values = local_secret_values()
    client = emulator.secretsmanager()
    for name in stack.secrets:
        secret_name = bucket_name(resources.prefix, name)
        value = values.get(name, f"local-{name}-placeholder (set it in {LOCAL_SECRETS.name})")
        created = client.create_secret(Name=secret_name, SecretString=value)
        resources.secrets[name] = secret_name
        resources.secret_arns[name] = created["ARN"]


def _create_tables(stack: Stack, emulator: Emulator, resources: Resources) -> None:
    dynamodb = emulator.dynamodb()
    for name, table in stack.tables.items():
        table_name = resource_name(resources.prefix, name)
        keys = {table.hash_key, *([table.range_key] if table.range_key else [])}
        indexes: list[Any] = []
        for index_name, index in table.indexes.items():
            keys |= {index.hash_key, *([index.range_key] if index.range_key else [])}
            indexes.append(
                {
                    "IndexName": index_name,
                    "KeySchema": _key_schema(index.hash_key, index.range_key),
                    "Projection": {"ProjectionType": index.projection},
                }
            )
        extra: dict[str, Any] = {}
        if indexes:
            extra["GlobalSecondaryIndexes"] = indexes
        if table.stream:
            extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": table.stream}
        if (capacity := table.capacity()) is not None:
            extra["ProvisionedThroughput"] = _throughput(capacity)
            for index_spec in indexes:
                index_capacity = table.capacity(index_spec["IndexName"])
                assert index_capacity is not None  # a provisioned table's indexes are too
                index_spec["ProvisionedThroughput"] = _throughput(index_capacity)
        dynamodb.create_table(
            TableName=table_name,
            # Keys are strings: the single-table design encodes every key as text.
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in sorted(keys)],
            KeySchema=_key_schema(table.hash_key, table.range_key),
            BillingMode=table.billing_mode,
            **extra,
        )
        if table.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
            )
        resources.tables[name] = table_name
        log.info("table   %s (%d index(es))", table_name, len(indexes))


def _throughput(capacity: tuple[int, int]) -> Any:
    read, write = capacity
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def _key_schema(hash_key: str, range_key: str | None) -> list[Any]:
    schema: list[Any] = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _create_buckets(stack: Stack, emulator: Emulator, resources: Resources) -> None:
    s3 = emulator.s3()
    for name, bucket in stack.buckets.items():
        real_name = bucket_name(resources.prefix, name)
        s3.create_bucket(Bucket=real_name)
        if bucket.versioning:
            s3.put_bucket_versioning(
                Bucket=real_name, VersioningConfiguration={"Status": "Enabled"}
            )
        if bucket.expire_after_days:
            s3.put_bucket_lifecycle_configuration(
                Bucket=real_name,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": "expire",
                            "Status": "Enabled",
                            "Filter": {"Prefix": ""},
                            "Expiration": {"Days": bucket.expire_after_days},
                        }
                    ]
                },
            )
        resources.buckets[name] = real_name
        log.info("bucket  %s", real_name)


def _create_queue(
    emulator: Emulator,
    name: str,
    visibility_timeout: int,
    retention_days: int,
    dlq: tuple[int, int] | None,
) -> QueueRef:
    """A queue, and when `dlq` = (max_receive_count, retention_days) its dead-letter queue."""
    sqs = emulator.sqs()
    attributes: dict[Any, str] = {
        "VisibilityTimeout": str(visibility_timeout),
        "MessageRetentionPeriod": str(retention_days * DAY),
    }
    dlq_url = None
    if dlq is not None:
        max_receive_count, dlq_retention_days = dlq
        dlq_url = sqs.create_queue(
            QueueName=f"{name}-dlq",
            Attributes={"MessageRetentionPeriod": str(dlq_retention_days * DAY)},
        )["QueueUrl"]
        dlq_arn = _queue_arn(emulator, dlq_url)
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
        )
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return QueueRef(url=url, arn=_queue_arn(emulator, url), dlq_url=dlq_url)


def _queue_arn(emulator: Emulator, url: str) -> str:
    attributes = emulator.sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]


def _create_queues(stack: Stack, emulator: Emulator, resources: Resources) -> None:
    for name, queue in stack.queues.items():
        dlq = (queue.dlq.max_receive_count, queue.dlq.retention_days) if queue.dlq else None
        ref = _create_queue(
            emulator,
            resource_name(resources.prefix, name),
            queue.visibility_timeout,
            queue.retention_days,
            dlq,
        )
        resources.queues[name] = ref
        log.info("queue   %s%s", ref.url.rsplit("/", 1)[-1], " (+ dlq)" if dlq else "")


# AWS retries a failed asynchronous (S3) invocation twice: three attempts in all.
S3_ATTEMPTS = 3


def _wire_s3_triggers(stack: Stack, emulator: Emulator, resources: Resources) -> None:
    notifications: dict[str, list[Any]] = {}
    for fname, fn in stack.functions.items():
        for i, trigger in enumerate(fn.triggers.s3):
            queue = _create_queue(
                emulator,
                f"{resources.prefix}-s3-{fname}-{i}",
                visibility_timeout=stack.timeout(fname),
                retention_days=1,
                dlq=(S3_ATTEMPTS, 14),
            )
            rules = [
                {"Name": kind, "Value": value}
                for kind, value in (("prefix", trigger.prefix), ("suffix", trigger.suffix))
                if value
            ]
            config: dict[str, Any] = {"QueueArn": queue.arn, "Events": ["s3:ObjectCreated:*"]}
            if rules:
                config["Filter"] = {"Key": {"FilterRules": rules}}
            notifications.setdefault(trigger.bucket, []).append(config)
            resources.s3_deliveries.append(S3Delivery(fname, trigger.bucket, queue))
    for bucket, configs in notifications.items():
        emulator.s3().put_bucket_notification_configuration(
            Bucket=resources.buckets[bucket],
            NotificationConfiguration={"QueueConfigurations": configs},
        )
        log.info("notify  %s -> %d trigger(s)", resources.buckets[bucket], len(configs))


def _create_user_pool(cognito: CognitoIdentityProviderClient, resources: Resources) -> None:
    pool_id = cognito.create_user_pool(PoolName=f"{resources.prefix}-users")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=f"{resources.prefix}-web",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP)
    for username, groups in ((ADMIN_USER, (ADMIN_GROUP,)), (SHOPPER_USER, ())):
        password = random_password()
        create_user(cognito, pool_id, username, password, groups)
        resources.user_passwords[username] = password
    resources.user_pool_id = pool_id
    resources.user_pool_client_id = client_id
    log.info("users   %s: %s (admin), %s", pool_id, ADMIN_USER, SHOPPER_USER)


def issue_tokens(cognito: CognitoIdentityProviderClient, resources: Resources) -> dict[str, str]:
    """Fresh ID tokens of the local users: {"admin_token": ..., "user_token": ...}."""
    return {
        key: id_token(
            cognito,
            resources.user_pool_id,
            resources.user_pool_client_id,
            username,
            resources.user_passwords[username],
        )
        for key, username in (("admin_token", ADMIN_USER), ("user_token", SHOPPER_USER))
    }
