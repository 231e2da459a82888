"""The access table: consistent, the same for Terraform and Python, documented as it is."""

from __future__ import annotations

import re

import pytest

from woocom.access import KINDS, access_table, markdown_table
from woocom.config import load_stack
from woocom.paths import REPO_ROOT

TABLE = access_table()


@pytest.mark.parametrize(
    ("kind", "combined", "parts"),
    [("table", "read_write", ("read", "write")), ("bucket", "read_write", ("read", "write")),
     ("queue", "send_consume", ("send", "consume"))],
)  # fmt: skip
def test_combined_levels_are_exactly_their_parts(
    kind: str, combined: str, parts: tuple[str, ...]
) -> None:
    for statement in TABLE.statements[kind]:
        union = set().union(*(TABLE.levels[kind][p].get(statement, ()) for p in parts))
        assert set(TABLE.levels[kind][combined].get(statement, ())) == union
    assert TABLE.combine(kind, *parts) == combined


@pytest.mark.parametrize("kind", KINDS)
def test_every_statement_is_declared_and_no_action_is_a_wildcard(kind: str) -> None:
    for level, grants in TABLE.levels[kind].items():
        assert set(grants) <= set(TABLE.statements[kind]), f"{kind} {level}"
        for actions in grants.values():
            assert all(re.fullmatch(r"[a-z0-9]+:[A-Za-z]+", a) for a in actions), actions


def test_no_level_can_scan() -> None:
    assert TABLE.grants_of("table", "dynamodb:Scan") == []


def test_an_sqs_trigger_adds_consume_to_what_is_declared() -> None:
    stack = load_stack()
    assert stack.access("order_worker")["queue"] == {"orders": "consume"}
    assert stack.access("orders_api")["queue"] == {"orders": "send"}


def test_the_functions_readme_shows_the_table_as_it_is() -> None:
    readme = (REPO_ROOT / "functions" / "README.md").read_text()
    shown = readme.split("<!-- BEGIN_ACCESS_TABLE -->\n", 1)[1].split(
        "\n<!-- END_ACCESS_TABLE -->"
    )[0]
    assert shown == markdown_table(), (
        "regenerate with: python -c "
        "'from woocom.access import markdown_table; print(markdown_table())'"
    )


def test_the_function_module_reads_the_same_file() -> None:
    module = (REPO_ROOT / "terraform" / "modules" / "function" / "main.tf").read_text()
    assert 'jsondecode(file("${path.module}/access.json"))' in module
    assert "dynamodb:" not in module, "actions belong in access.json, not in HCL"
