"""Issue 12's findings, each as the request that exposed it.

Every test asserts the fixed documents deny (or allow) the request; the last test
proves each assertion would have failed on the bootstrap before the fix (f70814d,
transcribed in before_f70814d_staging.json). Findings 5 (payments) and 7 (admin MFA)
are about the stack, not IAM: tests/unit/functions and terraform/stack/tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from woocom.iam.evaluate import Decision, Request, evaluate

pytestmark = pytest.mark.terraform

ACCOUNT = "222222222222"
PREVIEW = f"arn:aws:iam::{ACCOUNT}:role/woocom-deploy-preview"
STATE_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0000aaaa-1111-2222-3333-444455556666"
STAGING_TAG = {"aws:ResourceTag/workspace": "staging", "aws:ResourceTag/stack": "woocom"}

Docs = Mapping[str, Any]


def preview_may(
    docs: Docs, action: str, resource: str, context: dict[str, str] | None = None
) -> bool:
    request = Request(action, resource, PREVIEW, context or {})
    resource_docs = [docs["state-key-policy"]] if resource == STATE_KEY else []
    return evaluate(request, [docs["deploy-preview"]], resource=resource_docs) is Decision.ALLOW


def finding_1(docs: Docs) -> bool:
    """A PR creates a role trusting an outside account, with admin, and no boundary."""
    role = f"arn:aws:iam::{ACCOUNT}:role/woocom-pr-7-escalate"
    return not any(
        [
            preview_may(docs, "iam:CreateRole", role),
            preview_may(
                docs,
                "iam:AttachRolePolicy",
                role,
                {"iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"},
            ),
            preview_may(docs, "iam:PutRolePolicy", role),
        ]
    )


def finding_2(docs: Docs) -> bool:
    """The state key (tagged stack=woocom by the bootstrap) can be re-policied or deleted."""
    return not any(
        preview_may(
            docs,
            action,
            STATE_KEY,
            {"aws:ResourceTag/stack": "woocom", "aws:RequestTag/stack": "woocom"},
        )
        for action in ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource")
    )


def finding_3(docs: Docs) -> bool:
    """A preview changes staging's user pool, CDN and API."""
    return not any(
        [
            preview_may(
                docs,
                "cognito-idp:AdminAddUserToGroup",
                f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_Staging1",
                STAGING_TAG,
            ),
            preview_may(
                docs,
                "cloudfront:UpdateDistribution",
                f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2STAGING",
                STAGING_TAG,
            ),
            preview_may(
                docs,
                "apigateway:PATCH",
                "arn:aws:apigateway:us-east-1::/restapis/staging123",
                STAGING_TAG,
            ),
        ]
    )


def finding_4(docs: Docs) -> bool:
    """The first apply creates /aws/apigateway/woocom-<workspace>/access: it must be allowed."""
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/apigateway/woocom-pr-7/access"
    return all(
        preview_may(docs, a, group) for a in ("logs:CreateLogGroup", "logs:PutRetentionPolicy")
    )


def finding_6(docs: Docs) -> bool:
    """The staging role trusted a job of any branch bound to the staging environment."""
    oidc = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    role = f"arn:aws:iam::{ACCOUNT}:role/woocom-deploy-staging"

    def may(sub: str) -> bool:
        context = {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": sub,
        }
        request = Request("sts:AssumeRoleWithWebIdentity", role, oidc, context)
        return evaluate(request, [], resource=[docs["deploy-staging-trust"]]) is Decision.ALLOW

    return not may("repo:woocom/platform:environment:staging") and not may(
        "repo:woocom/platform:environment:staging:ref:refs/heads/feature"
    )


def finding_8(docs: Docs) -> bool:
    """Break glass was a standing list: the on-call could assume it at any time."""
    context = {
        "aws:MultiFactorAuthPresent": "true",
        "aws:MultiFactorAuthAge": "60",
        "sts:SourceIdentity": "oncall",
        "aws:CurrentTime": "2026-12-02T14:00:00Z",
    }
    request = Request(
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/woocom-break-glass",
        f"arn:aws:iam::{ACCOUNT}:user/oncall",
        context,
    )
    return evaluate(request, [], resource=[docs["break-glass-trust"]]) is not Decision.ALLOW


FINDINGS: dict[str, Callable[[Docs], bool]] = {
    "1 any PR can become admin": finding_1,
    "2 the state key can be seized": finding_2,
    "3 previews change staging": finding_3,
    "4 the first apply is denied": finding_4,
    "6 staging from any branch (role trust)": finding_6,
    "8 break glass is a standing list": finding_8,
}


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_finding_is_fixed(finding: str, rendered: dict[str, Any]) -> None:
    assert FINDINGS[finding](rendered["staging"]), f"finding {finding} still reproduces"


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_finding_reproduces_on_the_bootstrap_before_the_fix(
    finding: str, before: dict[str, Any]
) -> None:
    assert not FINDINGS[finding](before), f"the test of finding {finding} does not bite on f70814d"
