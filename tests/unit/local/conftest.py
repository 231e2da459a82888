"""A tiny project (stack.yaml + throwaway handlers) that exercises every part of the runtime.

The runtime is generic over stack.yaml, so its tests need no storefront code:
each handler below records what it received where a test can see it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

STACK = """
name: mini
tables:
  main:
    hash_key: pk
    ttl_attribute: expires_at
    indexes:
      by_kind:
        hash_key: kind
        range_key: pk
buckets:
  drops: {}
  site: {}
queues:
  jobs:
    visibility_timeout: 1
    dlq:
      max_receive_count: 2
functions:
  web:
    handler: handler.handle
    environment:
      GREETING: hello
    triggers:
      api:
        - route: GET /things/{thing_id}
        - route: PUT /things/{thing_id}
          auth: admin
        - route: GET /things/special
        - route: GET /boom
        - route: GET /malformed
    permissions:
      table: {main: read_write}
  worker:
    handler: handler.handle
    # No longer than the queue's visibility timeout: Lambda rejects the mapping otherwise.
    timeout: 1
    triggers:
      sqs:
        - queue: jobs
          batch_size: 5
          batching_window: 1
    permissions:
      table: {main: write}
      queue: {jobs: consume}
  ingest:
    handler: handler.handle
    timeout: 1
    triggers:
      s3:
        - bucket: drops
          prefix: in/
          suffix: .csv
    permissions:
      table: {main: write}
      bucket: {drops: read}
  tick:
    handler: handler.handle
    triggers:
      schedule:
        - expression: rate(5 minutes)
    permissions:
      table: {main: read_write}
"""

HANDLERS = {
    "web": """
        import json
        import os

        import boto3

        def handle(event, context):
            if event["path"] == "/boom":
                raise RuntimeError("boom")
            if event["path"] == "/malformed":
                return "not a proxy response"
            if event["httpMethod"] == "PUT":
                table = boto3.resource("dynamodb").Table(os.environ["TABLE_MAIN_NAME"])
                table.put_item(Item={"pk": event["pathParameters"]["thing_id"], "kind": "thing"})
            return {
                "statusCode": 200,
                "headers": {"Content-Type": "application/json"},
                "multiValueHeaders": {"X-Seen": ["a", "b"]},
                "body": json.dumps({
                    "version": 1,
                    "resource": event["resource"],
                    "path": event["path"],
                    "params": event["pathParameters"],
                    "query": event["multiValueQueryStringParameters"],
                    "claims": (event["requestContext"].get("authorizer") or {}).get("claims"),
                    "body": event["body"],
                    "user_agent": (event["headers"] or {}).get("User-Agent"),
                    "greeting": os.environ.get("GREETING"),
                    "env": os.environ.get("WOOCOM_ENV"),
                    "function": context.function_name,
                }),
            }
    """,
    "worker": """
        import os

        import boto3

        def handle(event, context):
            table = boto3.resource("dynamodb").Table(os.environ["TABLE_MAIN_NAME"])
            failures = []
            for record in event["Records"]:
                if record["body"] == "raise":
                    raise RuntimeError("the whole batch fails")
                if record["body"].startswith("fail"):
                    failures.append({"itemIdentifier": record["messageId"]})
                    continue
                table.put_item(Item={"pk": "job:" + record["body"], "kind": "job"})
            return {"batchItemFailures": failures}
    """,
    "ingest": """
        import os
        import time
        from urllib.parse import unquote_plus

        import boto3

        def handle(event, context):
            table = boto3.resource("dynamodb").Table(os.environ["TABLE_MAIN_NAME"])
            for record in event["Records"]:
                key = unquote_plus(record["s3"]["object"]["key"])
                if "bad" in key:
                    raise ValueError("cannot read " + key)
                if "slow" in key:
                    time.sleep(1.2)
                table.put_item(Item={"pk": "drop:" + key, "kind": "drop"})
    """,
    "tick": """
        import os

        import boto3

        def handle(event, context):
            table = boto3.resource("dynamodb").Table(os.environ["TABLE_MAIN_NAME"])
            table.update_item(
                Key={"pk": "tick"},
                UpdateExpression="ADD ticks :one SET last_event = :source",
                ExpressionAttributeValues={":one": 1, ":source": event["source"]},
            )
    """,
}


def write_project(root: Path) -> Path:
    """The mini project under `root`; returns its stack.yaml."""
    (root / "stack.yaml").write_text(STACK)
    for name, code in HANDLERS.items():
        folder = root / "functions" / name
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "handler.py").write_text(textwrap.dedent(code).lstrip())
    return root / "stack.yaml"


@pytest.fixture(scope="package")
def mini_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("mini"))
