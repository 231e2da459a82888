"""Builders of the event shapes AWS Lambda really receives, and a minimal LambdaContext.

One set of builders serves the unit tests and the local runtime, so a handler
sees the same shape in a test, under `nox -s dev` and on AWS:

- `api_gateway_event`: API Gateway REST (v1) Lambda proxy integration;
- `sqs_event`: an SQS event source mapping batch;
- `s3_event`: S3 ObjectCreated:Put notifications;
- `scheduled_event`: an EventBridge scheduled rule;
- `lambda_context`: what the runtime passes as `context`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from woocom.emulated import REGION

ACCOUNT_ID = "123456789012"
DEFAULT_QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:woocom-local-orders"
DEFAULT_RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/woocom-local-schedule"

Query = Mapping[str, str] | Sequence[tuple[str, str]]
Body = str | bytes | Mapping[str, Any] | Sequence[Any]


def _now() -> datetime:
    return datetime.now(UTC)


def _multi(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _encode_body(body: Body | None) -> tuple[str | None, bool]:
    """API Gateway passes text bodies as-is and binary ones base64-encoded."""
    if body is None:
        return None, False
    if isinstance(body, str):
        return body, False
    if isinstance(body, bytes):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return base64.b64encode(body).decode("ascii"), True
    return json.dumps(body), False


def api_gateway_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: Query | None = None,
    headers: Mapping[str, str] | None = None,
    body: Body | None = None,
    claims: Mapping[str, Any] | None = None,
    stage: str = "local",
    request_id: str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event.

    `resource` is the route template ("/products/{sku}"), `path` the concrete path.
    A JSON-able `body` (dict or list) is serialised; bytes that are not UTF-8 are
    base64-encoded with `isBase64Encoded`, as API Gateway does for binary media.
    `claims` are the verified JWT claims a Cognito authorizer puts in the request context.
    """
    query_pairs = list(query.items()) if isinstance(query, Mapping) else list(query or [])
    header_pairs = list((headers or {}).items())
    encoded_body, is_base64 = _encode_body(body)
    user_agent = next((v for k, v in header_pairs if k.lower() == "user-agent"), None)
    now = _now()
    request_id = request_id or str(uuid.uuid4())
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": "local",
        "domainName": "127.0.0.1",
        "domainPrefix": "127",
        "extendedRequestId": request_id,
        "httpMethod": method,
        "identity": {"sourceIp": source_ip, "userAgent": user_agent},
        "path": f"/{stage}{path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now.timestamp() * 1000),
        "resourceId": "local",
        "resourcePath": resource or path,
        "stage": stage,
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": dict(claims)}
    multi_query = _multi(query_pairs)
    multi_headers = _multi(header_pairs)
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        # API Gateway keeps the last value in the single-value maps, all of them in the multi ones.
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": encoded_body,
        "isBase64Encoded": is_base64,
    }


def _sqs_record(message: str | Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """One record; `message` is a body or a ReceiveMessage message (MessageId, Body, ...)."""
    if isinstance(message, str):
        message = {"Body": message}
    body = str(message["Body"])
    attributes = dict(message.get("Attributes") or {})
    now_ms = str(int(time.time() * 1000))
    return {
        "messageId": message.get("MessageId") or str(uuid.uuid4()),
        "receiptHandle": message.get("ReceiptHandle") or uuid.uuid4().hex,
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
            "SentTimestamp": attributes.get("SentTimestamp", now_ms),
            "SenderId": attributes.get("SenderId", ACCOUNT_ID),
            "ApproximateFirstReceiveTimestamp": attributes.get(
                "ApproximateFirstReceiveTimestamp", now_ms
            ),
        },
        # Lambda lower-cases the first letter of each message attribute field.
        "messageAttributes": {
            name: {key[0].lower() + key[1:]: value for key, value in attr.items()}
            for name, attr in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody")
        or hashlib.md5(body.encode(), usedforsecurity=False).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def sqs_event(
    messages: Sequence[str | Mapping[str, Any]], queue_arn: str = DEFAULT_QUEUE_ARN
) -> dict[str, Any]:
    """An SQS batch as an event source mapping delivers it.

    Each message is either a body string or a message as `ReceiveMessage` returns
    it (`MessageId`, `ReceiptHandle`, `Body`, `Attributes`, `MessageAttributes`).
    """
    return {"Records": [_sqs_record(message, queue_arn) for message in messages]}


def s3_event(
    bucket: str,
    keys: Sequence[str],
    *,
    sizes: Mapping[str, int] | None = None,
    region: str = REGION,
) -> dict[str, Any]:
    """ObjectCreated:Put notifications for `keys` in `bucket` (keys URL-encoded, as S3 does)."""
    when = _now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": when,
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:LOCAL"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {
                    "x-amz-request-id": uuid.uuid4().hex[:16].upper(),
                    "x-amz-id-2": uuid.uuid4().hex,
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "woocom-local",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "LOCAL"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        # S3 encodes keys like a form value: spaces become '+'.
                        "key": quote_plus(key, safe="/"),
                        "size": (sizes or {}).get(key, 0),
                        "eTag": hashlib.md5(key.encode(), usedforsecurity=False).hexdigest(),
                        "sequencer": f"{time.time_ns():016X}",
                    },
                },
            }
            for key in keys
        ]
    }


def scheduled_event(
    rule_arn: str = DEFAULT_RULE_ARN, *, when: datetime | None = None
) -> dict[str, Any]:
    """The event an EventBridge schedule rule sends to its target."""
    moment = (when or _now()).astimezone(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": rule_arn.split(":")[4],
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": rule_arn.split(":")[3],
        "resources": [rule_arn],
        "detail": {},
    }


@dataclass
class LambdaContext:
    """The attributes and method of the context object handlers use."""

    function_name: str
    timeout: float = 10.0
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"{_now():%Y/%m/%d}/[{self.function_version}]local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def lambda_context(function_name: str, timeout: float = 10.0, memory: int = 256) -> LambdaContext:
    """A fresh context whose remaining time counts down from `timeout` seconds."""
    return LambdaContext(function_name=function_name, timeout=timeout, memory_limit_in_mb=memory)
