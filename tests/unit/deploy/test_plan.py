"""The plan summary, from `terraform show -json` documents (see fixtures/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from woocom.deploy.plan import Action, render, summarize

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return document


def test_real_terraform_output_is_summarized() -> None:
    summary = summarize(load("plan_terraform_data.json"))
    assert summary.terraform_version == "1.15.5"
    assert [(c.action, c.address) for c in summary.changes] == [
        (Action.CREATE, "terraform_data.new"),
        (Action.UPDATE, "terraform_data.keep"),
        (Action.REPLACE, "terraform_data.swap"),
        (Action.DESTROY, "terraform_data.gone"),
    ]
    assert summary.changes[2].reason == "forced by triggers_replace"
    assert summary.changes[3].reason == "delete because no resource config"
    assert summary.data_loss == ()


def test_stack_plan_counts_and_flags_data_loss() -> None:
    summary = summarize(load("plan_staging_aws.json"))
    assert summary.counts == {
        Action.CREATE: 1,
        Action.UPDATE: 2,
        Action.REPLACE: 2,
        Action.DESTROY: 1,
        Action.FORGET: 1,
    }
    assert [c.address for c in summary.data_loss] == [
        'module.data.aws_dynamodb_table.this["main"]',
        'module.data.aws_s3_bucket.this["imports"]',
    ]
    # A replaced schedule rule holds no data: listed, not flagged.
    rule = 'module.function["expire_orders"].aws_cloudwatch_event_rule.this[0]'
    assert rule in [c.address for c in summary.changes if not c.loses_data]


def test_rendered_table_lists_every_change_and_a_loud_banner() -> None:
    text = render(summarize(load("plan_staging_aws.json")), "staging")
    lines = text.splitlines()
    assert lines[0] == (
        "Plan for staging: 1 to create, 2 to update, 2 to replace, 1 to destroy, 1 to forget"
    )
    assert '!! replace  module.data.aws_dynamodb_table.this["main"]  (forced by hash_key)' in lines
    assert '   update   module.function["catalog_api"].aws_lambda_function.this' in lines
    assert "!! This plan DESTROYS DATA in staging:" in lines
    assert '!!   destroy module.data.aws_s3_bucket.this["imports"]' in lines
    # no-ops and data-source reads are not changes
    assert "orders_api" not in text
    assert "aws_caller_identity" not in text


def test_empty_plan_says_so() -> None:
    document = load("plan_terraform_data.json")
    document["resource_changes"] = []
    summary = summarize(document)
    assert summary.empty
    assert render(summary, "pr-7") == "Plan for pr-7: no changes"


def test_a_document_that_is_not_a_plan_is_rejected() -> None:
    with pytest.raises(ValidationError):
        summarize({"resource_changes": []})
