"""The stack document: `stack.yaml` as Terraform reads it, normalized and fully defaulted.

    stack.yaml --load_stack--> Stack (the model: parse, defaults, limits)
               --stack_document--> .woocom/build/stack.json --jsondecode--> terraform/stack

Terraform never reads the YAML: every default is resolved here, so it lives only
in the model, and every derived view Terraform needs (the Lambda handler string,
routes by key, one S3 notification per bucket, the TABLE_/BUCKET_/QUEUE_/SECRET_
variables, the role's effective access) is computed once, in Python. Every
tooling entry point that runs Terraform writes the document first
(`python -m woocom validate`, plan/deploy/destroy, the LocalStack target).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from woocom.config import Stack, resource_variables
from woocom.paths import BUILD_DIR
from woocom.tf.files import write_if_changed

DOCUMENT_NAME = "stack.json"
DOCUMENT_FILE = BUILD_DIR / DOCUMENT_NAME
# Bumped when the shape changes in a way terraform/stack must follow (2: `secrets`).
SCHEMA_VERSION = 2


def stack_document(stack: Stack) -> dict[str, Any]:
    """Every value Terraform needs, with no default left for HCL to fill in."""
    return {
        "comment": "Generated from stack.yaml by woocom.stackdoc; do not edit.",
        "schema_version": SCHEMA_VERSION,
        "name": stack.name,
        "log_retention_days": stack.defaults.log_retention_days,
        "tables": {name: _table(stack, name) for name in stack.tables},
        "buckets": {name: b.model_dump(mode="json") for name, b in stack.buckets.items()},
        "queues": {name: q.model_dump(mode="json") for name, q in stack.queues.items()},
        "secrets": {name: s.model_dump(mode="json") for name, s in stack.secrets.items()},
        "functions": {name: _function(stack, name) for name in stack.functions},
        "routes": {
            api.route: {
                "function": fname,
                "method": api.method,
                "path": api.path,
                "admin": api.auth == "admin",
            }
            for fname, api in stack.routes()
        },
        "s3_notifications": _s3_notifications(stack),
    }


def _table(stack: Stack, name: str) -> dict[str, Any]:
    table = stack.tables[name]
    document = table.model_dump(mode="json")
    for index_name, index in document["indexes"].items():
        capacity = table.capacity(index_name)
        index["read_capacity"], index["write_capacity"] = capacity or (None, None)
    return document


def _function(stack: Stack, name: str) -> dict[str, Any]:
    fn = stack.functions[name]
    return {
        "description": fn.description,
        "folder": stack.folder(name),
        "handler": fn.handler,
        "lambda_handler": stack.lambda_handler(name),
        "runtime": stack.runtime(name),
        "architecture": stack.architecture(name),
        "memory": stack.memory(name),
        "timeout": stack.timeout(name),
        "log_retention_days": stack.log_retention_days(name),
        "reserved_concurrency": fn.reserved_concurrency,
        "environment": dict(fn.environment),
        "triggers": {
            "api": [
                {"route": t.route, "method": t.method, "path": t.path, "auth": t.auth.value}
                for t in fn.triggers.api
            ],
            "schedule": [t.model_dump(mode="json") for t in fn.triggers.schedule],
            "s3": [t.model_dump(mode="json") for t in fn.triggers.s3],
            "sqs": [t.model_dump(mode="json") for t in fn.triggers.sqs],
        },
        "permissions": fn.permissions.model_dump(mode="json"),
        "access": stack.access(name),
        # variable -> "<kind>/<resource>"; terraform/stack puts the name or URL in.
        "resource_variables": {
            variable: f"{kind}/{resource}"
            for variable, (kind, resource) in resource_variables(fn.permissions).items()
        },
    }


def _s3_notifications(stack: Stack) -> dict[str, list[dict[str, str]]]:
    """Bucket -> every function filter on it: S3 keeps one notification configuration each."""
    notifications: dict[str, list[dict[str, str]]] = {}
    for fname, fn in stack.functions.items():
        for trigger in fn.triggers.s3:
            notifications.setdefault(trigger.bucket, []).append(
                {"function": fname, "prefix": trigger.prefix, "suffix": trigger.suffix}
            )
    return notifications


def render(stack: Stack) -> str:
    return json.dumps(stack_document(stack), indent=2, sort_keys=False) + "\n"


def write_stack_document(stack: Stack, path: Path = DOCUMENT_FILE) -> Path:
    """Write the document atomically: Terraform runs side by side may be reading it."""
    write_if_changed(path, render(stack).encode())
    return path


def document_path(repo: Path) -> Path:
    """Where terraform/stack looks for the document of the checkout at `repo`."""
    return repo / ".woocom" / "build" / DOCUMENT_NAME
