"""Deny locally what each function's role would deny on AWS.

The local runtime runs every function in one process against one emulator that
checks no permission, so a permission missing from `stack.yaml` would only show
up in staging as an `AccessDenied`. Here each function gets the role Terraform
would build (the same access table, woocom.access, on the exact resource ARNs),
and every AWS call a function makes through botocore, with any client it
creates, is checked against it before it leaves the process:

- the runtime marks the calling function in a context variable around each
  invocation (`LocalIam.acting_as`), since functions share clients and threads;
- a botocore hook, registered on every client created once `install()` ran,
  maps the call to the IAM actions and resource ARNs AWS would authorize
  (TransactWriteItems and BatchWriteItem per table and item, S3 objects and
  buckets, SQS queues, Secrets Manager secrets by name or ARN); an action of any
  other service is on `*` and allowed by nothing);
- a call outside the role fails with the error botocore raises on AWS
  (`AccessDeniedException` for JSON protocols such as DynamoDB and SQS,
  `AccessDenied` for S3), naming the action and the resource; the log names the
  `stack.yaml` permission that would grant it.

Calls made outside any invocation (the runtime's own provisioning and polling)
and from threads a handler starts itself (which do not inherit the context) are
not checked.
"""

from __future__ import annotations

import contextvars
import fnmatch
import logging
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.awsrequest import AWSResponse, HTTPHeaders

from woocom.access import KINDS, AccessTable, Kind, Statement, access_table
from woocom.config import Stack
from woocom.emulated import REGION
from woocom.events import ACCOUNT_ID
from woocom.local.provision import Resources, function_name

log = logging.getLogger("woocom.local.iam")

_CONTEXT_KEY = "woocom_iam_denied"


@dataclass(frozen=True)
class Request:
    """One authorization AWS makes for a call: `action` on `resource`."""

    action: str
    resource: str


@dataclass(frozen=True)
class Role:
    """What one function may do: its statements, and where they come from for the log."""

    function: str
    arn: str
    statements: tuple[Statement, ...]
    # resource ARN (without suffix) -> (kind, stack.yaml name), to name the missing permission
    owners: Mapping[str, tuple[Kind, str]]
    granted: Mapping[Kind, Mapping[str, str]]
    # Every denial of this runtime, as logged: the integration suite asserts there was none.
    denials: list[str]

    def resolve(self, request: Request) -> Request:
        """AWS authorizes a secret named by its name (or partial ARN) on its full ARN, which
        ends in "-" and six random characters: resolve the stack's own secrets so."""
        if not request.resource.startswith("arn:aws:secretsmanager:"):
            return request
        for arn in self.owners:
            if arn.startswith("arn:aws:secretsmanager:") and _SECRET_SUFFIX.sub("", arn) == (
                request.resource
            ):
                return Request(request.action, arn)
        return request

    def allows(self, request: Request) -> bool:
        return any(
            _action_matches(request.action, statement.actions)
            and any(fnmatch.fnmatchcase(request.resource, r) for r in statement.resources)
            for statement in self.statements
        )


_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


def _action_matches(action: str, allowed: tuple[str, ...]) -> bool:
    # IAM compares actions case-insensitively.
    return action.lower() in (a.lower() for a in allowed)


_caller: contextvars.ContextVar[Role | None] = contextvars.ContextVar(
    "woocom_iam_role", default=None
)


@dataclass(frozen=True)
class ResourceArns:
    """The ARNs of the stack's resources on the emulator, by stack.yaml name."""

    tables: Mapping[str, str]
    buckets: Mapping[str, str]
    queues: Mapping[str, str]
    secrets: Mapping[str, str] = field(default_factory=dict)

    def of(self, kind: Kind) -> Mapping[str, str]:
        return {
            "table": self.tables,
            "bucket": self.buckets,
            "queue": self.queues,
            "secret": self.secrets,
        }[kind]


def table_arn(region: str, account: str, table: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table}"


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def queue_arn(region: str, account: str, queue: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{queue}"


class LocalIam:
    """The roles of every function of `stack`; `acting_as` makes one the caller's."""

    def __init__(
        self,
        stack: Stack,
        arns: ResourceArns,
        function_names: Mapping[str, str],
        account: str,
        table: AccessTable | None = None,
    ) -> None:
        self.table = table or access_table()
        self.denials: list[str] = []
        self.roles: dict[str, Role] = {}
        for name in stack.functions:
            granted = stack.access(name)
            statements: list[Statement] = []
            owners: dict[str, tuple[Kind, str]] = {}
            for kind in KINDS:
                for resource, arn in arns.of(kind).items():
                    owners[arn] = (kind, resource)
                for resource, level in granted[kind].items():
                    arn = arns.of(kind)[resource]
                    statements.extend(self.table.statements_for(kind, resource, level, arn))
            aws_name = function_names[name]
            self.roles[name] = Role(
                function=name,
                arn=f"arn:aws:sts::{account}:assumed-role/{aws_name}/{aws_name}",
                statements=tuple(statements),
                owners=owners,
                granted=granted,
                denials=self.denials,
            )
        install()

    @contextmanager
    def acting_as(self, function: str) -> Iterator[None]:
        """AWS calls made in this block (this thread or task) are `function`'s."""
        token = _caller.set(self.roles[function])
        try:
            yield
        finally:
            _caller.reset(token)


# --- which authorizations a call needs ------------------------------------------------------

_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
_S3_ACTIONS = {
    "HeadObject": "GetObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "ListParts": "ListMultipartUploadParts",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListBuckets": "ListAllMyBuckets",
    "DeleteObjects": "DeleteObject",
}
_SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}


def required(
    service: str, operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Request]:
    """The (action, resource) pairs AWS authorizes for one call; `*` where no resource applies."""
    if service == "dynamodb":
        return _dynamodb(operation, params, region, account)
    if service == "s3":
        return _s3(operation, params)
    if service == "sqs":
        return _sqs(operation, params, region, account)
    if service == "secretsmanager":
        return _secretsmanager(operation, params, region, account)
    return [Request(f"{service}:{operation}", "*")]


def _table(name: str, region: str, account: str) -> str:
    return name if name.startswith("arn:") else table_arn(region, account, name)


def _dynamodb(
    operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Request]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            Request(
                f"dynamodb:{_TRANSACT_ACTIONS[kind]}", _table(body["TableName"], region, account)
            )
            for item in params.get("TransactItems", [])
            for kind, body in item.items()
        ]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [
            Request(f"dynamodb:{operation}", _table(name, region, account))
            for name in params.get("RequestItems", {})
        ]
    if "TableName" in params:
        resource = _table(params["TableName"], region, account)
        if params.get("IndexName"):
            resource += f"/index/{params['IndexName']}"
        return [Request(f"dynamodb:{operation}", resource)]
    return [Request(f"dynamodb:{operation}", "*")]


def _s3(operation: str, params: Mapping[str, Any]) -> list[Request]:
    action = f"s3:{_S3_ACTIONS.get(operation, operation)}"
    bucket = params.get("Bucket")
    if bucket is None:
        return [Request(action, "*")]
    if operation == "DeleteObjects":
        keys = [o["Key"] for o in params.get("Delete", {}).get("Objects", [])]
        return [Request(action, f"{bucket_arn(bucket)}/{key}") for key in keys]
    if "Key" not in params:
        return [Request(action, bucket_arn(bucket))]
    requests = [Request(action, f"{bucket_arn(bucket)}/{params['Key']}")]
    if operation in ("CopyObject", "UploadPartCopy"):
        requests[0] = Request("s3:PutObject", requests[0].resource)
        source = params.get("CopySource")
        if isinstance(source, Mapping):
            source = f"{source['Bucket']}/{source['Key']}"
        if isinstance(source, str):
            path = source.lstrip("/").split("?", 1)[0]
            requests.append(Request("s3:GetObject", bucket_arn(path)))
    return requests


def _sqs(operation: str, params: Mapping[str, Any], region: str, account: str) -> list[Request]:
    action = f"sqs:{_SQS_ACTIONS.get(operation, operation)}"
    if "QueueUrl" in params:
        owner, _, name = urlsplit(params["QueueUrl"]).path.strip("/").rpartition("/")
        return [Request(action, queue_arn(region, owner or account, name))]
    if operation == "GetQueueUrl" and "QueueName" in params:
        owner = params.get("QueueOwnerAWSAccountId") or account
        return [Request(action, queue_arn(region, owner, params["QueueName"]))]
    return [Request(action, "*")]


def _secretsmanager(
    operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Request]:
    action = f"secretsmanager:{operation}"
    secret = params.get("SecretId")
    if not isinstance(secret, str):
        return [Request(action, "*")]
    if secret.startswith("arn:"):
        return [Request(action, secret)]
    # A name: Role.resolve finds the full ARN of the stack's secret of that name.
    return [Request(action, f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}")]


# --- the botocore hook ----------------------------------------------------------------------


@dataclass(frozen=True)
class Denial:
    code: str
    status: int
    message: str


def _service_prefix(model: Any) -> str:
    service_model = model.service_model
    return str(service_model.signing_name or service_model.endpoint_prefix)


def check_call(params: Mapping[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    """before-parameter-build: decide, and leave a denial for `deny_call` to answer with."""
    role = _caller.get()
    if role is None:
        return
    region = context.get("client_region") or REGION
    account = role.arn.split(":")[4]
    service = _service_prefix(model)
    for needed in required(service, model.name, params, region, account):
        request = role.resolve(needed)
        if not role.allows(request):
            protocol = model.service_model.metadata.get("protocol", "")
            json_protocol = protocol in ("json", "rest-json")
            message = (
                f"User: {role.arn} is not authorized to perform: {request.action} on resource: "
                f"{request.resource} because no identity-based policy allows the "
                f"{request.action} action"
            )
            context[_CONTEXT_KEY] = Denial(
                code="AccessDeniedException" if json_protocol else "AccessDenied",
                status=400 if json_protocol else 403,
                message=message,
            )
            line = (
                f"IAM denied {role.function}: {request.action} on {request.resource}. "
                f"{grant_hint(role, request)}"
            )
            role.denials.append(line)
            log.warning("%s", line)
            return


def deny_call(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
    """before-call: answer a denied call as AWS would, without sending it."""
    denial: Denial | None = context.pop(_CONTEXT_KEY, None)
    if denial is None:
        return None
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-requestid": request_id}
    http_headers = HTTPHeaders()
    http_headers["x-amzn-requestid"] = request_id
    response = AWSResponse("", denial.status, http_headers, None)
    parsed = {
        "Error": {"Code": denial.code, "Message": denial.message},
        "ResponseMetadata": {
            "RequestId": request_id,
            "HTTPStatusCode": denial.status,
            "HTTPHeaders": headers,
            "RetryAttempts": 0,
        },
    }
    return response, parsed


def grant_hint(role: Role, request: Request, table: AccessTable | None = None) -> str:
    """Which stack.yaml permission would allow `request`, in words for the log."""
    table = table or access_table()
    owner = next(
        (
            found
            for arn, found in role.owners.items()
            if request.resource == arn or request.resource.startswith(arn + "/")
        ),
        None,
    )
    if owner is None:
        return (
            f"{request.resource} is not a resource of stack.yaml: no permission there can "
            "grant it (declare the resource, or call only the stack's own)"
        )
    kind, name = owner
    levels = table.grants_of(kind, request.action)
    if not levels:
        return (
            f"no {kind} access level allows {request.action} "
            "(terraform/modules/function/access.json): the deployed role could not do it either"
        )
    current = role.granted[kind].get(name)
    level = table.combine(kind, current, levels[0]) if current else levels[0]
    where = f"functions.{role.function}.permissions.{kind}.{name}"
    return f"stack.yaml would grant it with {where}: {level}"


_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Register the hook on every botocore client created from now on (idempotent).

    The hook does nothing outside `LocalIam.acting_as`, so the tooling's own
    clients are untouched.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        original = botocore.session.Session.create_client

        def create_client(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
            client = original(self, *args, **kwargs)
            client.meta.events.register_first("before-parameter-build", check_call)
            # A before-call handler that returns (response, parsed) answers the call itself.
            client.meta.events.register_first("before-call", deny_call)  # type: ignore[arg-type]
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
        _installed = True


def local_iam(stack: Stack, resources: Resources) -> LocalIam:
    """The roles of `stack`'s functions on the resources the runtime created."""
    arns = ResourceArns(
        tables={n: table_arn(REGION, ACCOUNT_ID, t) for n, t in resources.tables.items()},
        buckets={n: bucket_arn(b) for n, b in resources.buckets.items()},
        queues={n: q.arn for n, q in resources.queues.items()},
        secrets=dict(resources.secret_arns),
    )
    names = {name: function_name(stack, name) for name in stack.functions}
    return LocalIam(stack, arns, names, ACCOUNT_ID)
