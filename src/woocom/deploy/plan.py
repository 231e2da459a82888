"""What a saved plan will do, from `terraform show -json <plan>`.

The summary counts the changes, lists every create/update/replace/destroy by
address, and flags loudly the ones that lose data: a replacement or destroy of
a resource that holds state (a table, a bucket, a user pool, a queue ...).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Resource types whose replacement or destruction loses data or identities.
STATEFUL_TYPES = frozenset(
    {
        "aws_dynamodb_table",
        "aws_s3_bucket",
        "aws_cognito_user_pool",
        "aws_sqs_queue",
        "aws_kms_key",
        "aws_secretsmanager_secret",
        "aws_cloudwatch_log_group",
    }
)


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DESTROY = "destroy"
    FORGET = "forget"  # removed from state by a `removed` block; the object stays


# --- the part of `terraform show -json` we read (format_version 1.x) --------------------


class _Edge(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Change(_Edge):
    actions: list[str]
    replace_paths: list[list[Any]] = Field(default_factory=list)


class _ResourceChange(_Edge):
    address: str
    mode: str
    type: str
    change: _Change
    action_reason: str | None = None


class PlanDocument(_Edge):
    format_version: str
    terraform_version: str
    resource_changes: list[_ResourceChange] = Field(default_factory=list)
    errored: bool = False


# --- the summary -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    action: Action
    reason: str

    @property
    def loses_data(self) -> bool:
        return self.type in STATEFUL_TYPES and self.action in (Action.REPLACE, Action.DESTROY)


@dataclass(frozen=True)
class PlanSummary:
    changes: tuple[ResourceChange, ...]
    terraform_version: str

    @property
    def counts(self) -> dict[Action, int]:
        counted = Counter(change.action for change in self.changes)
        return {action: counted[action] for action in Action}

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def data_loss(self) -> tuple[ResourceChange, ...]:
        return tuple(change for change in self.changes if change.loses_data)


def _action(actions: list[str]) -> Action | None:
    match sorted(actions):
        case ["create"]:
            return Action.CREATE
        case ["update"]:
            return Action.UPDATE
        case ["create", "delete"]:
            return Action.REPLACE
        case ["delete"]:
            return Action.DESTROY
        case ["forget"]:
            return Action.FORGET
        case _:  # no-op, read (data sources)
            return None


def _reason(change: _ResourceChange) -> str:
    if change.change.replace_paths:
        paths = (".".join(str(part) for part in path) for path in change.change.replace_paths)
        return "forced by " + ", ".join(paths)
    return (change.action_reason or "").replace("_", " ")


def summarize(document: dict[str, Any]) -> PlanSummary:
    """Summarize a parsed `terraform show -json` of a saved plan."""
    plan = PlanDocument.model_validate(document)
    changes = []
    for resource in plan.resource_changes:
        action = _action(resource.change.actions)
        if resource.mode != "managed" or action is None:
            continue
        changes.append(ResourceChange(resource.address, resource.type, action, _reason(resource)))
    order = list(Action)
    changes.sort(key=lambda c: (order.index(c.action), c.address))
    return PlanSummary(tuple(changes), plan.terraform_version)


def render(summary: PlanSummary, target: str) -> str:
    """The table printed after `plan`, with a banner when data would be lost."""
    counts = summary.counts
    headline = ", ".join(f"{counts[action]} to {action}" for action in Action if counts[action])
    lines = [f"Plan for {target}: {headline or 'no changes'}"]
    if summary.changes:
        width = max(len(change.action) for change in summary.changes)
        lines.append("")
        for change in summary.changes:
            marker = "!!" if change.loses_data else "  "
            reason = f"  ({change.reason})" if change.reason else ""
            lines.append(f"{marker} {change.action:<{width}}  {change.address}{reason}")
    if summary.data_loss:
        bar = "!" * 78
        lines += ["", bar, f"!! This plan DESTROYS DATA in {target}:"]
        lines += [f"!!   {c.action} {c.address}" for c in summary.data_loss]
        lines += [
            "!! Its contents are lost for good (a replaced table or bucket starts empty).",
            "!! If this is not intended, change the configuration (a `moved` block keeps a",
            "!! renamed resource) and plan again.",
            bar,
        ]
    return "\n".join(lines)
