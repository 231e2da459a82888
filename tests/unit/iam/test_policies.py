"""Every rendered document against the cases of woocom.iam.cases: what each workspace's
identity must be allowed (every resource its stack creates) and denied (everything else
the isolation model names). One test per workspace and subject (a resource type, another
workspace's user pool...); a failure lists every request that went the wrong way."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from woocom.iam import cases
from woocom.iam.render import SAMPLE_ACCOUNTS, Documents
from woocom.paths import REPO_ROOT

pytestmark = pytest.mark.terraform

ALL = list(cases.all_cases())
GROUPS: dict[str, list[cases.Case]] = {}
for _kind, _case in ALL:
    workspace, subject = _case.label.split(": ")[:2]
    GROUPS.setdefault(f"{_kind}: {workspace}: {subject}", []).append(_case)


@pytest.fixture(scope="module")
def documents(rendered: dict[str, Documents]) -> dict[str, Documents]:
    return cases.with_everything(rendered)


def test_every_function_role_works_under_its_boundary(documents: dict[str, Documents]) -> None:
    found = cases.function_cases(documents)
    functions = {case.documents[0] for case in found}
    assert functions == {f"function-{name}" for name in cases._stack().functions}
    wrong = [case.label for case in found if not case.holds(documents)]
    assert not wrong, "\n".join(wrong)


def test_every_role_of_the_stack_carries_the_boundary_its_deploy_identity_requires(
    stack_roles: dict[str, str | None], documents: dict[str, Documents]
) -> None:
    """Rendered with every optional role on: the Slack channel's role is one of them."""
    assert "woocom-staging-alarms-chatbot" in stack_roles
    assert "woocom-staging-canary" in stack_roles
    assert {f"woocom-staging-{name}" for name in cases._stack().functions} <= set(stack_roles)
    wrong = [
        f"{case.label}: got {case.decide(documents)}"
        for case in cases.role_cases(stack_roles)
        if not case.holds(documents)
    ]
    assert not wrong, "\n".join(wrong)


def test_the_slack_channel_reads_alarms_and_graphs_under_its_boundary(
    documents: dict[str, Documents],
) -> None:
    policy = documents["staging"]["role-alarms-chatbot"]
    actions = {a for st in policy["Statement"] for a in cases._listed(st["Action"])}
    assert actions == {
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:GetMetricWidgetImage",
        "cloudwatch:GetMetricData",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
    }
    alarms = [st for st in policy["Statement"] if "cloudwatch:DescribeAlarms" in st["Action"]]
    assert [st["Resource"] for st in alarms] == [
        "arn:aws:cloudwatch:us-east-1:222222222222:alarm:woocom-staging-*"
    ]
    found = [c for c in cases.role_policy_cases(documents) if "role-alarms-chatbot" in c.label]
    assert len(found) == 6
    wrong = [case.label for case in found if not case.holds(documents)]
    assert not wrong, "\n".join(wrong)


def test_the_render_check_canary_writes_its_logs_artifacts_and_metrics_under_its_boundary(
    documents: dict[str, Documents],
) -> None:
    """The canary's role (modules/canary) as Terraform renders it, evaluated with its boundary.

    A boundary that leaves out any of it lets the deploy succeed and every run fail.
    """
    policy = documents["staging"]["role-canary"]
    logs = [st for st in policy["Statement"] if "logs:PutLogEvents" in st["Action"]]
    # Synthetics names the canary's function cwsyn-<canary name>-<id>.
    assert logs[0]["Resource"][0] == (
        "arn:aws:logs:us-east-1:222222222222:log-group:/aws/lambda/cwsyn-woocom-staging-*"
    )
    found = [case for case in cases.role_policy_cases(documents) if "role-canary" in case.label]
    actions = {case.request.action for case in found}
    assert {
        "s3:PutObject",
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "logs:CreateLogGroup",
        "logs:PutLogEvents",
        "cloudwatch:PutMetricData",
    } <= actions
    wrong = [
        f"{case.label}: got {case.decide(documents)}" for case in found if not case.holds(documents)
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_requests(group: str, documents: dict[str, Documents]) -> None:
    wrong = [
        f"{case.label}: expected {'allow' if case.allowed else 'deny'}, "
        f"got {case.decide(documents)}"
        for case in GROUPS[group]
        if not case.holds(documents)
    ]
    assert not wrong, "\n".join(wrong)


def test_there_are_cases_of_both_kinds_for_every_workspace() -> None:
    counts = Counter((kind, case.account_name) for kind, case in ALL)
    for sample in SAMPLE_ACCOUNTS:
        assert counts[("positive", sample.name)] > 50
        assert counts[("negative", sample.name)] > 50


def test_every_resource_type_the_stack_creates_has_positive_cases() -> None:
    labels = {case.label.split(": ")[1] for kind, case in ALL if kind == "positive"}
    assert set(cases.RESOURCE_ACTIONS) <= labels


def test_every_account_renders_its_documents(rendered: dict[str, Documents]) -> None:
    assert {"deploy-staging", "deploy-preview", "boundary-staging", "boundary-preview"} <= set(
        rendered["staging"]
    )
    assert {"deploy-production", "boundary-production"} <= set(rendered["production"])
    assert {"developer-dev-alice", "developer-dev-bob", "boundary-developer"} <= set(
        rendered["test"]
    )
    for documents in rendered.values():
        assert {
            "state-key-policy",
            "state-bucket-policy",
            "break-glass",
            "break-glass-trust",
        } <= set(documents)


RESOURCE_BLOCK = re.compile(r'^resource\s+"([a-z0-9_]+)"', re.MULTILINE)


def declared_resource_types() -> set[str]:
    """Every `resource "<type>"` terraform/stack and its modules declare."""
    terraform = REPO_ROOT / "terraform"
    files = [*terraform.glob("stack/*.tf"), *terraform.glob("modules/*/*.tf")]
    return {found for path in files for found in RESOURCE_BLOCK.findall(path.read_text("utf-8"))}


def test_every_resource_type_the_stack_declares_has_an_entry() -> None:
    """A resource type added to the stack without its positive cases fails here, by name."""
    declared = declared_resource_types()
    assert "aws_lambda_function" in declared  # the parser finds the stack at all
    covered = set(cases.RESOURCE_ACTIONS) | set(cases.COVERED_BY)
    missing = sorted(declared - covered)
    assert not missing, "no positive cases in src/woocom/iam/cases.py for: " + ", ".join(missing)


def test_covered_by_names_entries_whose_actions_exist() -> None:
    for kind, (parent, actions) in cases.COVERED_BY.items():
        assert parent in cases.RESOURCE_ACTIONS, kind
        assert set(actions) <= set(cases.RESOURCE_ACTIONS[parent]), kind
