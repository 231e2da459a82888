"""Every role terraform/stack can create carries the scope's permissions boundary.

The deploy and developer identities may create a role, or put a policy on one, only
with their scope's boundary (terraform/bootstrap/policies, `DenyRolesWithoutBoundary`):
a role declared without it is refused at apply, in the middle of a deploy. This reads
the Terraform itself, so it holds for roles that only exist with some inputs (the Slack
channel's role exists only with `alarm_slack_channel`), which no plan of the defaults
shows: each `resource "aws_iam_role"` of the stack and its modules must set
`permissions_boundary = var.permissions_boundary_arn`, and the stack must hand its own
`permissions_boundary_arn` (the boundary of terraform/envs/<env>.tfvars) to every module
that declares one. `nox -s iam` then proves, on the rendered stack, that the deploy
identity may create each role with the boundary it carries (woocom.iam.cases.role_cases).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from woocom.paths import REPO_ROOT

TERRAFORM = REPO_ROOT / "terraform"
STACK = TERRAFORM / "stack"
BOUNDARY_ARGUMENT = re.compile(
    r"^\s*permissions_boundary\s*=\s*var\.permissions_boundary_arn\s*$", re.MULTILINE
)
PASSED_ON = re.compile(
    r"^\s*permissions_boundary_arn\s*=\s*var\.permissions_boundary_arn\s*$", re.MULTILINE
)


def blocks(text: str, header: str) -> dict[str, str]:
    """name => body of each top-level block whose header matches `header` (one label group)."""
    found = {}
    for match in re.finditer(header + r"\s*\{", text, re.MULTILINE):
        depth, start = 1, match.end()
        position = start
        while depth:
            char = text[position]
            depth += {"{": 1, "}": -1}.get(char, 0)
            position += 1
        found[match.group(1)] = text[start : position - 1]
    return found


def tf_files() -> list[Path]:
    return sorted([*STACK.glob("*.tf"), *TERRAFORM.glob("modules/*/*.tf")])


def roles() -> dict[str, str]:
    """'<file>: <resource name>' => body, for every aws_iam_role of the stack and its modules."""
    found = {}
    for path in tf_files():
        text = path.read_text(encoding="utf-8")
        for name, body in blocks(text, r'^resource\s+"aws_iam_role"\s+"([^"]+)"').items():
            found[f"{path.relative_to(REPO_ROOT)}: {name}"] = body
    return found


def test_the_parser_finds_the_roles_it_must() -> None:
    found = roles()
    assert "terraform/modules/function/main.tf: this" in found
    assert "terraform/modules/alarms/routing.tf: chatbot" in found


@pytest.mark.parametrize("role", sorted(roles()))
def test_every_role_sets_the_permissions_boundary(role: str) -> None:
    assert BOUNDARY_ARGUMENT.search(roles()[role]), (
        f"{role} has no `permissions_boundary = var.permissions_boundary_arn`: the deploy "
        "identity may not create it (DenyRolesWithoutBoundary)"
    )


def modules_with_a_boundary_variable() -> set[str]:
    modules = set()
    for folder in sorted(TERRAFORM.glob("modules/*")):
        text = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.tf"))
        if re.search(r'^variable\s+"permissions_boundary_arn"', text, re.MULTILINE):
            modules.add(folder.name)
    return modules


def test_every_module_with_a_role_takes_the_boundary() -> None:
    with_roles = {role.split("/")[2] for role in roles() if role.startswith("terraform/modules/")}
    assert with_roles <= modules_with_a_boundary_variable()


def test_the_stack_passes_its_boundary_to_every_module_that_takes_one() -> None:
    calls: dict[str, list[str]] = {}
    for path in sorted(STACK.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        for name, body in blocks(text, r'^module\s+"([^"]+)"').items():
            source = re.search(r'^\s*source\s*=\s*"\.\./modules/([^"]+)"', body, re.MULTILINE)
            assert source, f"module {name} in {path.name} has no ../modules source"
            calls.setdefault(source.group(1), []).append(body)
    modules = modules_with_a_boundary_variable()
    assert {"function", "canary"} <= modules  # the variable scan finds what exists
    for module in modules:
        assert calls.get(module), f"terraform/stack never calls modules/{module}"
        for body in calls[module]:
            assert PASSED_ON.search(body), (
                f"terraform/stack calls modules/{module} without "
                "`permissions_boundary_arn = var.permissions_boundary_arn`"
            )
