"""The evaluator against AWS's documented examples (each test cites its page)."""

from __future__ import annotations

from typing import Any

import pytest

from woocom.iam.evaluate import Decision, Request, UnsupportedPolicyError, evaluate

ALLOW, DENY, IMPLICIT = Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
# "An explicit deny in any of these policies overrides the allow."
def test_explicit_deny_overrides_allow() -> None:
    docs = [
        policy(allow("s3:*")),
        policy({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}),
    ]
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k"), docs) is ALLOW
    assert evaluate(Request("s3:DeleteBucket", "arn:aws:s3:::b"), docs) is DENY


def test_nothing_allowed_is_an_implicit_deny() -> None:
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k"), [policy()]) is IMPLICIT


# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
# Boundary allows s3:*, cloudwatch:*, ec2:*; the identity policy allows iam:CreateUser:
# "the user cannot perform any operations", CreateUser included.
def test_permissions_boundary_limits_the_identity_policy() -> None:
    boundary = policy(allow(["s3:*", "cloudwatch:*", "ec2:*"]))
    identity = [policy(allow("iam:CreateUser"))]
    user = "arn:aws:iam::123456789012:user/ShirleyRodriguez"
    assert evaluate(Request("iam:CreateUser", user), identity, boundary=boundary) is IMPLICIT
    assert evaluate(Request("s3:ListBucket", "arn:aws:s3:::b"), identity, boundary=boundary) is (
        IMPLICIT
    )
    both = [policy(allow(["iam:CreateUser", "s3:ListBucket"]))]
    assert evaluate(Request("s3:ListBucket", "arn:aws:s3:::b"), both, boundary=boundary) is ALLOW


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
# Allow with NotAction "iam:*": everything except IAM.
def test_allow_with_not_action() -> None:
    docs = [policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]
    assert evaluate(Request("s3:ListAllMyBuckets", "*"), docs) is ALLOW
    assert evaluate(Request("iam:CreateUser", "*"), docs) is IMPLICIT


# Same page: deny everything but IAM when the request was signed without MFA (BoolIfExists).
def test_deny_with_not_action_and_if_exists() -> None:
    docs = [
        policy(allow("*")),
        policy(
            {
                "Effect": "Deny",
                "NotAction": "iam:*",
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
            }
        ),
    ]
    without_mfa = {"aws:MultiFactorAuthPresent": "false"}
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", context=without_mfa), docs) is DENY
    assert evaluate(Request("iam:ListUsers", "*", context=without_mfa), docs) is ALLOW
    with_mfa = {"aws:MultiFactorAuthPresent": "true"}
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", context=with_mfa), docs) is ALLOW
    # Long-term keys carry no MFA key at all: IfExists makes the deny apply.
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k"), docs) is DENY


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
# Allow s3:* on everything except the HRBucket/Payroll folder.
def test_allow_with_not_resource() -> None:
    docs = [
        policy(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "NotResource": ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"],
            }
        )
    ]
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::HRBucket/Other/a"), docs) is ALLOW
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/a"), docs) is IMPLICIT


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
# Wildcards within a segment; a trailing "*" spans ":" and "/"; actions are case-insensitive.
@pytest.mark.parametrize(
    ("pattern", "arn", "matches"),
    [
        ("arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/Bob", True),
        ("arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b.txt", True),
        ("arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket2/a", False),
        (
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app-*",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app-x:log-stream:s",
            True,
        ),
        (
            "arn:aws:dynamodb:*:123456789012:table/t",
            "arn:aws:dynamodb:us-east-2:123456789012:table/t",
            True,
        ),
        (
            "arn:aws:dynamodb:*:123456789012:table/t",
            "arn:aws:dynamodb:us-east-2:999999999999:table/t",
            False,
        ),
        ("arn:aws:sqs:us-east-1:123456789012:q?", "arn:aws:sqs:us-east-1:123456789012:q1", True),
        ("arn:aws:sqs:us-east-1:123456789012:q?", "arn:aws:sqs:us-east-1:123456789012:q12", False),
    ],
)
def test_resource_wildcards(pattern: str, arn: str, matches: bool) -> None:
    decision = evaluate(Request("sqs:SendMessage", arn), [policy(allow("SQS:send*", pattern))])
    assert (decision is ALLOW) == matches


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
# Keys are ANDed, the values of one key ORed.
def test_condition_keys_are_anded_and_values_ored() -> None:
    docs = [
        policy(
            allow(
                "s3:GetObject",
                Condition={
                    "StringEquals": {
                        "aws:PrincipalTag/department": ["finance", "hr", "legal"],
                        "aws:PrincipalTag/role": ["audit", "security"],
                    }
                },
            )
        )
    ]

    def decide(department: str, role: str) -> Decision:
        context = {"aws:PrincipalTag/department": department, "aws:PrincipalTag/role": role}
        return evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k", context=context), docs)

    assert decide("hr", "audit") is ALLOW
    assert decide("legal", "security") is ALLOW
    assert decide("hr", "developer") is IMPLICIT
    assert decide("sales", "audit") is IMPLICIT


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
# "home/${aws:username}/*": each user lists only their own folder.
def test_policy_variables_and_string_like() -> None:
    docs = [
        policy(
            allow(
                "s3:ListBucket",
                "arn:aws:s3:::amzn-s3-demo-bucket",
                Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}},
            ),
            allow("s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"),
        )
    ]
    bucket = "arn:aws:s3:::amzn-s3-demo-bucket"
    alice = {"aws:username": "alice", "s3:prefix": "home/alice/docs"}
    assert evaluate(Request("s3:ListBucket", bucket, context=alice), docs) is ALLOW
    assert evaluate(Request("s3:GetObject", f"{bucket}/home/alice/a", context=alice), docs) is ALLOW
    assert (
        evaluate(Request("s3:GetObject", f"{bucket}/home/bob/a", context=alice), docs) is IMPLICIT
    )
    # Without the key the variable resolves to nothing and the statement does not apply.
    assert evaluate(Request("s3:GetObject", f"{bucket}/home/bob/a"), docs) is IMPLICIT


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
# Null: "true" when the key is absent (aws:TokenIssueTime: only temporary credentials have it).
def test_null_condition() -> None:
    docs = [policy(allow("ec2:*", Condition={"Null": {"aws:TokenIssueTime": "false"}}))]
    temporary = {"aws:TokenIssueTime": "2026-12-02T10:00:00Z"}
    assert evaluate(Request("ec2:RunInstances", "*", context=temporary), docs) is ALLOW
    assert evaluate(Request("ec2:RunInstances", "*"), docs) is IMPLICIT


# Same page: negated operators match when the key is missing; the others do not.
def test_missing_keys() -> None:
    deny = policy(
        allow("iam:CreateRole"),
        {
            "Effect": "Deny",
            "Action": "iam:CreateRole",
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}
            },
        },
    )
    role = "arn:aws:iam::1:role/r"
    assert evaluate(Request("iam:CreateRole", role), [deny]) is DENY
    bounded = {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}
    assert evaluate(Request("iam:CreateRole", role, context=bounded), [deny]) is ALLOW
    like = policy(allow("s3:*", Condition={"StringLike": {"aws:RequestTag/env": "dev*"}}))
    assert evaluate(Request("s3:PutObject", "arn:aws:s3:::b/k"), [like]) is IMPLICIT


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws-dates.html
# Access within a date range; and MFA no older than an hour (NumericLessThan, ArnLike).
def test_date_numeric_and_arn_conditions() -> None:
    docs = [
        policy(
            allow(
                "sts:AssumeRole",
                Condition={
                    "DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
                    "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"},
                    "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:topic-*"},
                },
            )
        )
    ]

    def decide(
        now: str, age: str, source: str = "arn:aws:sns:us-east-1:123456789012:topic-a"
    ) -> Decision:
        context = {"aws:CurrentTime": now, "aws:MultiFactorAuthAge": age, "aws:SourceArn": source}
        return evaluate(Request("sts:AssumeRole", "*", context=context), docs)

    assert decide("2020-05-01T12:00:00Z", "120") is ALLOW
    assert decide("2020-07-01T00:00:00Z", "120") is IMPLICIT
    assert decide("2020-05-01T12:00:00Z", "7200") is IMPLICIT
    assert decide("2020-05-01T12:00:00Z", "120", "arn:aws:sns:us-east-1:999999999999:topic-a") is (
        IMPLICIT
    )


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
# aws:PrincipalArn is always in the request context: a boundary can single out one role.
def test_principal_arn_is_the_callers_role() -> None:
    docs = [
        policy(
            allow(
                "logs:PutLogEvents",
                Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/shop-canary"}},
            )
        )
    ]

    def decide(role: str) -> Decision:
        principal = f"arn:aws:iam::123456789012:role/{role}"
        return evaluate(Request("logs:PutLogEvents", "*", principal), docs)

    assert decide("shop-canary") is ALLOW
    assert decide("shop-orders_api") is IMPLICIT


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
# A resource (trust) policy applies to the principals it names.
def test_resource_policy_principal() -> None:
    trust = policy(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
        }
    )
    role = "arn:aws:iam::123456789012:role/r"
    alice = Request("sts:AssumeRole", role, "arn:aws:iam::123456789012:user/alice")
    bob = Request("sts:AssumeRole", role, "arn:aws:iam::123456789012:user/bob")
    assert evaluate(alice, [], resource=[trust]) is ALLOW
    assert evaluate(bob, [], resource=[trust]) is IMPLICIT


def test_unknown_operators_are_refused_not_guessed() -> None:
    docs = [policy(allow("s3:*", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "a"}}))]
    with pytest.raises(UnsupportedPolicyError, match="ForAnyValue:StringEquals"):
        evaluate(Request("s3:GetObject", "arn:aws:s3:::b/k"), docs)
