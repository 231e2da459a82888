"""What the model accepts, Terraform deploys: stacks checked by Python, then planned by Terraform.

- the repository's stack without `defaults:`: the model's defaults are the only
  ones, so dropping the section changes nothing, in Python or in Terraform.
  Terraform reads stack.yaml only through the stack document and the test
  manifest (woocom.stackdoc, woocom.tf.validate), so "nothing" is checked where
  it is exact: both are byte for byte the repository's, for which
  `python -m woocom validate` (the step `nox -s validate` runs before these tests)
  has just passed init, validate and every `terraform test` file;
- a stack with every limit at its edge (smallest and largest memory, timeout,
  retention, capacities, batch sizes and windows, the longest names): each value
  the model accepts must plan. This scenario copies the repository, writes its
  stack.yaml and runs `python -m woocom validate` on the copy (which writes the
  stack document from that stack.yaml and runs `terraform test` against the
  mocked provider). The storefront-specific terraform test files (every one but
  tests/document.tftest.hcl, which holds for any stack) are removed from that copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.terraform.test_gate import copy_repo
from woocom.config import LOG_RETENTION_DAYS, load_stack
from woocom.paths import REPO_ROOT
from woocom.stackdoc import render
from woocom.tf.validate import write_test_manifest

pytestmark = pytest.mark.terraform

HANDLER = "def handle(event, context):\n    return None\n"
# stack "edge" (4) + function (34) + the longest workspace (16) + 2 dashes = 56, the limit.
LONGEST_FUNCTION = "f" * 34
# stack (4) + bucket (28) + workspace (16) + account id (12) + 3 dashes = 63, S3's limit.
LONGEST_BUCKET = "b" * 28


def edge_stack() -> dict[str, Any]:
    return {
        "name": "edge",
        "defaults": {"memory": 10240, "timeout": 900, "log_retention_days": LOG_RETENTION_DAYS[-1]},
        "tables": {
            "main": {"hash_key": "pk"},
            "provisioned": {
                "hash_key": "pk",
                "range_key": "sk",
                "billing_mode": "PROVISIONED",
                "read_capacity": 1,
                "write_capacity": 40000,
                "indexes": {
                    "by_sk": {"hash_key": "sk", "projection": "KEYS_ONLY"},
                    "by_pk": {"hash_key": "sk", "range_key": "pk", "read_capacity": 40000},
                },
            },
        },
        "buckets": {"site": {}, LONGEST_BUCKET: {"expire_after_days": 1, "versioning": True}},
        "queues": {
            "smallest": {
                "visibility_timeout": 0,
                "retention_days": 1,
                "dlq": {"max_receive_count": 1, "retention_days": 1},
            },
            "largest": {
                "visibility_timeout": 43200,
                "retention_days": 14,
                "dlq": {"max_receive_count": 1000, "retention_days": 14},
            },
        },
        "functions": {
            "small": {
                "handler": "handler.handle",
                "memory": 128,
                "timeout": 1,
                "log_retention_days": 1,
                "reserved_concurrency": 0,
                "triggers": {
                    "schedule": [
                        {"expression": "rate(1 minute)"},
                        {"expression": "cron(59 23 31 12 ? 2199)", "enabled": False},
                    ],
                },
                "permissions": {"table": {"provisioned": "write"}, "queue": {"smallest": "send"}},
            },
            LONGEST_FUNCTION: {
                "description": "d" * 256,
                "handler": "handler.handle",
                "environment": {"GREETING": "x" * 2000},
                "triggers": {
                    "sqs": [{"queue": "largest", "batch_size": 10000, "batching_window": 300}],
                    "s3": [
                        {"bucket": LONGEST_BUCKET, "prefix": "in/"},
                        {"bucket": "site", "suffix": ".json"},
                    ],
                    "api": [{"route": "PATCH /things/{thing_id}", "auth": "admin"}],
                },
                "permissions": {
                    "table": {"main": "read"},
                    "bucket": {LONGEST_BUCKET: "read_write"},
                    "queue": {"largest": "send"},
                },
            },
        },
    }


def without_defaults(repo: Path) -> None:
    data = yaml.safe_load((repo / "stack.yaml").read_text())
    assert "defaults" in data, "the repository's stack.yaml no longer has defaults: to remove"
    del data["defaults"]
    (repo / "stack.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def at_the_edges(repo: Path) -> None:
    data = edge_stack()
    (repo / "stack.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    for name in data["functions"]:
        (repo / "functions" / name).mkdir(parents=True, exist_ok=True)
        (repo / "functions" / name / "handler.py").write_text(HANDLER)
    for sample_specific in (repo / "terraform" / "stack" / "tests").glob("*.tftest.hcl"):
        if sample_specific.name != "document.tftest.hcl":
            sample_specific.unlink()


def what_terraform_reads(repo: Path) -> tuple[str, bytes]:
    """The stack document and the test manifest `python -m woocom validate --repo` writes."""
    stack_file = repo / "stack.yaml"
    document = render(load_stack(stack_file))
    manifest = write_test_manifest(stack_file, repo / ".woocom" / "build" / "test-manifest.json")
    return document, manifest.read_bytes()


def test_stack_without_defaults_gives_terraform_what_the_repository_gives_it(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path)
    without_defaults(repo)
    stack = load_stack(repo / "stack.yaml")
    assert stack.memory("catalog_api") == 256
    # Terraform gets exactly what it validated and tested for the repository.
    assert what_terraform_reads(repo) == what_terraform_reads(REPO_ROOT)


@pytest.fixture(scope="module")
def at_the_edges_validated(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    repo = copy_repo(tmp_path_factory.mktemp("at_the_edges"))
    at_the_edges(repo)
    env = {**os.environ, "WOOCOM_TF_PROVIDER": os.environ.get("WOOCOM_TF_PROVIDER", "standin")}
    command = [sys.executable, "-m", "woocom", "validate", "--repo", str(repo)]
    result = subprocess.run(
        [*command, "--skip-checkov", "--root", "stack"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    return repo, result


def test_every_limit_at_its_edge_plans(
    at_the_edges_validated: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    repo, result = at_the_edges_validated
    load_stack(repo / "stack.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   stack: init, validate, test" in result.stdout
