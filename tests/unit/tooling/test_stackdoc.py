"""The stack document: what Terraform reads, with every default resolved by the model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from woocom.config import STACK_FILE, load_stack
from woocom.paths import REPO_ROOT
from woocom.stackdoc import document_path, stack_document, write_stack_document
from woocom.tf.validate import write_document

DOCUMENT = stack_document(load_stack())


def test_every_function_setting_is_resolved() -> None:
    for name, fn in DOCUMENT["functions"].items():
        for key in ("runtime", "architecture", "memory", "timeout", "log_retention_days"):
            assert fn[key] is not None, f"{name}.{key}"
    worker = DOCUMENT["functions"]["order_worker"]
    assert (worker["memory"], worker["timeout"], worker["runtime"]) == (256, 30, "python3.13")
    assert worker["lambda_handler"] == "order_worker.handler.handle"
    assert worker["triggers"]["sqs"] == [
        {"queue": "orders", "batch_size": 10, "batching_window": 1}
    ]


def test_derived_views_are_computed_once_here() -> None:
    assert DOCUMENT["routes"]["PUT /products/{sku}"] == {
        "function": "catalog_api",
        "method": "PUT",
        "path": "/products/{sku}",
        "admin": True,
    }
    assert DOCUMENT["s3_notifications"] == {
        "imports": [{"function": "catalog_import", "prefix": "imports/", "suffix": ".csv"}]
    }
    orders_api = DOCUMENT["functions"]["orders_api"]
    assert orders_api["resource_variables"] == {
        "TABLE_MAIN_NAME": "table/main",
        "QUEUE_ORDERS_URL": "queue/orders",
    }
    # The worker's role consumes its trigger queue without declaring it.
    assert DOCUMENT["functions"]["order_worker"]["access"]["queue"] == {"orders": "consume"}
    assert DOCUMENT["functions"]["order_worker"]["permissions"]["queue"] == {}


def test_secrets_reach_terraform_through_the_document() -> None:
    assert list(DOCUMENT["secrets"]) == ["payment_provider"]
    assert DOCUMENT["secrets"]["payment_provider"]["description"].startswith("API key of")
    worker = DOCUMENT["functions"]["order_worker"]
    assert worker["resource_variables"]["SECRET_PAYMENT_PROVIDER_NAME"] == (
        "secret/payment_provider"
    )
    assert worker["access"]["secret"] == {"payment_provider": "read"}
    others = [f for name, f in DOCUMENT["functions"].items() if name != "order_worker"]
    assert all(f["access"]["secret"] == {} for f in others)


def test_the_defaults_section_only_restates_the_models(tmp_path: Path) -> None:
    data = yaml.safe_load(STACK_FILE.read_text())
    del data["defaults"]
    (tmp_path / "stack.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    shutil.copytree(REPO_ROOT / "functions", tmp_path / "functions")
    assert stack_document(load_stack(tmp_path / "stack.yaml")) == DOCUMENT


def test_written_where_terraform_reads_it(tmp_path: Path) -> None:
    shutil.copy2(STACK_FILE, tmp_path / "stack.yaml")
    shutil.copytree(REPO_ROOT / "functions", tmp_path / "functions")
    path = write_document(tmp_path)
    assert path == document_path(tmp_path) == tmp_path / ".woocom" / "build" / "stack.json"
    assert json.loads(path.read_text()) == DOCUMENT
    stamp = path.stat().st_mtime_ns
    write_stack_document(load_stack(tmp_path / "stack.yaml"), path)
    assert path.stat().st_mtime_ns == stamp, "an unchanged document is not rewritten"
    main_tf = (REPO_ROOT / "terraform" / "stack" / "main.tf").read_text()
    assert '"${path.module}/../../.woocom/build/stack.json"' in main_tf
