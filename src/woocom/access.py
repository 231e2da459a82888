"""The access table: what `table: read`, `bucket: write`, `queue: send`, `secret: read` allow.

One JSON file, `terraform/modules/function/access.json`, read here and by the
function module (`jsondecode(file(...))`), so the role Terraform builds and the
check the local runtime makes (woocom.local.iam) cannot disagree.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from woocom.paths import REPO_ROOT

ACCESS_FILE = REPO_ROOT / "terraform" / "modules" / "function" / "access.json"

Kind = Literal["table", "bucket", "queue", "secret"]
KINDS: tuple[Kind, ...] = ("table", "bucket", "queue", "secret")


@dataclass(frozen=True)
class Statement:
    """One IAM statement of a role: `sid` allows `actions` on each of `resources`."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class AccessTable:
    # kind -> statement name -> ARN suffixes
    statements: Mapping[str, Mapping[str, tuple[str, ...]]]
    # kind -> level -> statement name -> actions
    levels: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]]

    def level_names(self, kind: str) -> tuple[str, ...]:
        return tuple(self.levels[kind])

    def actions(self, kind: str, level: str) -> frozenset[str]:
        return frozenset(a for actions in self.levels[kind][level].values() for a in actions)

    def combine(self, kind: str, *levels: str) -> str:
        """The narrowest level that allows everything each of `levels` allows."""
        wanted = frozenset().union(*(self.actions(kind, level) for level in levels))
        fits = [name for name in self.levels[kind] if self.actions(kind, name) >= wanted]
        if not fits:
            raise ValueError(f"no {kind} access level allows {', '.join(sorted(wanted))}")
        return min(fits, key=lambda name: len(self.actions(kind, name)))

    def statements_for(self, kind: str, name: str, level: str, arn: str) -> list[Statement]:
        """The statements access `level` on resource `name` (ARN `arn`) puts in a role."""
        return [
            Statement(
                sid=statement + pascal(name),
                actions=tuple(sorted(actions)),
                resources=tuple(arn + suffix for suffix in self.statements[kind][statement]),
            )
            for statement, actions in self.levels[kind][level].items()
        ]

    def grants_of(self, kind: str, action: str) -> list[str]:
        """The levels of `kind` that allow `action`, narrowest first."""
        return sorted(
            (level for level in self.levels[kind] if action in self.actions(kind, level)),
            key=lambda level: len(self.actions(kind, level)),
        )


def pascal(name: str) -> str:
    """IAM Sids are alphanumeric: "order_items" -> "OrderItems" (as the function module does)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def load_access_table(path: Path = ACCESS_FILE) -> AccessTable:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return AccessTable(
        statements={
            kind: {name: tuple(suffixes) for name, suffixes in raw[kind]["statements"].items()}
            for kind in KINDS
        },
        levels={
            kind: {
                level: {statement: tuple(actions) for statement, actions in grants.items()}
                for level, grants in raw[kind]["levels"].items()
            }
            for kind in KINDS
        },
    )


@functools.cache
def access_table() -> AccessTable:
    """The repository's table, read once."""
    return load_access_table()


def markdown_table(table: AccessTable | None = None) -> str:
    """The table as functions/README.md shows it (a test keeps the README in step)."""
    table = table or access_table()
    rows = ["| permission | level | actions | on |", "|---|---|---|---|"]
    for kind in KINDS:
        for level, grants in table.levels[kind].items():
            for statement, actions in grants.items():
                on = ", ".join(
                    f"`<{kind}>{suffix}`" for suffix in table.statements[kind][statement]
                )
                rows.append(
                    f"| `{kind}` | `{level}` | {', '.join(f'`{a}`' for a in actions)} | {on} |"
                )
    return "\n".join(rows)
