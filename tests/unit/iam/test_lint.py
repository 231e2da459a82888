"""parliament and cloudsplaining on every rendered document, against the reviewed list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from woocom.iam import lint
from woocom.iam.render import Documents

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # parliament: pkg_resources
]


@pytest.fixture(scope="module")
def report(rendered: dict[str, Documents]) -> lint.LintReport:
    return lint.lint(rendered)


def test_both_tools_ran_on_every_document(report: lint.LintReport) -> None:
    counts = report.counts()
    assert counts["parliament"] > 0
    assert counts["cloudsplaining"] > 0


def test_every_finding_is_fixed_or_reviewed(report: lint.LintReport) -> None:
    assert not report.unreviewed, report.describe()


def test_no_review_outlives_its_finding(report: lint.LintReport) -> None:
    assert not report.stale, report.describe()


def test_an_unscoped_policy_is_not_excused_by_the_reviews() -> None:
    # Anyone's access keys, on "*": parliament and cloudsplaining both object.
    keys: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:CreateAccessKey", "iam:CreateUser"],
                "Resource": "*",
            }
        ],
    }
    report = lint.lint({"staging": {"rogue": keys}})
    assert not report.ok
    unreviewed = {(f.tool, f.issue) for f in report.unreviewed}
    assert ("parliament", "RESOURCE_STAR") in unreviewed, report.describe()
    assert ("cloudsplaining", "CREDENTIALS_EXPOSURE") in unreviewed, report.describe()


def test_a_review_needs_a_reason(tmp_path: Path) -> None:
    reviewed = tmp_path / "reviewed.yaml"
    reviewed.write_text(
        "- tool: parliament\n  issue: RESOURCE_STAR\n  documents: ['*']\n  reason: ok\n"
    )
    with pytest.raises(ValueError, match="parliament RESOURCE_STAR needs a reason"):
        lint.load_reviews(reviewed)
