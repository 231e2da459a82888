"""Break-glass grants: written into a role's trust (moto), then evaluated like AWS would."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from woocom.iam import access
from woocom.iam.evaluate import Decision, Request, evaluate

NOW = dt.datetime(2026, 12, 2, 14, 0, tzinfo=dt.UTC)
ACCOUNT = "123456789012"
ROLE = "woocom-break-glass"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
APPROVER = f"arn:aws:sts::{ACCOUNT}:assumed-role/woocom-break-glass-approver/carol"
NOBODY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NoStandingAccess",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Condition": {"DateLessThan": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}},
        }
    ],
}


@pytest.fixture
def iam() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        client.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(NOBODY))
        yield client


def may_assume(
    trust: dict[str, Any],
    who: str,
    at: dt.datetime,
    source: str | None = "alice",
    mfa: str = "true",
) -> bool:
    context = {
        "aws:MultiFactorAuthPresent": mfa,
        "aws:MultiFactorAuthAge": "60",
        "aws:CurrentTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if source is not None:
        context["sts:SourceIdentity"] = source
    return (
        evaluate(Request("sts:AssumeRole", ROLE_ARN, who, context), [], resource=[trust])
        is Decision.ALLOW
    )


def stored_trust(iam: Any) -> dict[str, Any]:
    return access._current_trust(iam, ROLE)


def test_a_grant_lets_one_person_in_for_the_minutes_granted(iam: Any) -> None:
    assert not may_assume(stored_trust(iam), ALICE, NOW)
    grant = access.new_grant(
        "alice", ALICE, 30, "delete woocom-staging-orders_api, INC-42", APPROVER, NOW
    )
    access.grant(iam, ROLE, grant, NOW)
    trust = stored_trust(iam)
    assert may_assume(trust, ALICE, NOW + dt.timedelta(minutes=29))
    assert not may_assume(trust, ALICE, NOW + dt.timedelta(minutes=31)), "IAM ends the grant"
    assert not may_assume(trust, f"arn:aws:iam::{ACCOUNT}:user/bob", NOW), "only the person granted"
    assert not may_assume(trust, ALICE, NOW, source=None), "the session must name her"
    assert not may_assume(trust, ALICE, NOW, source="bob"), "under her own name"
    assert not may_assume(trust, ALICE, NOW, mfa="false")


def test_the_grant_is_recorded_on_the_role(iam: Any) -> None:
    grant = access.new_grant("alice", ALICE, 15, "stuck deployment INC-42", APPROVER, NOW)
    access.grant(iam, ROLE, grant, NOW)
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=ROLE)["Tags"]}
    assert tags[grant.sid].startswith("alice until 2026-12-02T14:15:00Z by arn:aws:sts::")
    assert tags[grant.sid].endswith("stuck deployment INC-42")


def test_expired_grants_are_dropped_and_revoke_ends_one_early(iam: Any) -> None:
    access.grant(
        iam, ROLE, access.new_grant("alice", ALICE, 10, "first incident INC-1", APPROVER, NOW), NOW
    )
    later = NOW + dt.timedelta(hours=2)
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    access.grant(
        iam, ROLE, access.new_grant("bob", bob, 30, "second incident INC-2", APPROVER, later), later
    )
    sids = [s["Sid"] for s in stored_trust(iam)["Statement"]]
    assert sids == ["NoStandingAccess", "GrantBob20261202T163000Z"]
    access.revoke(iam, ROLE, "bob", later)
    assert not may_assume(stored_trust(iam), bob, later, source="bob")


@pytest.mark.parametrize(
    ("person", "principal", "minutes", "reason", "message"),
    [
        ("alice", ALICE, 0, "a good reason here", "--minutes 0"),
        ("alice", ALICE, 61, "a good reason here", "--minutes 61"),
        ("alice", ALICE, 30, "because", "--reason"),
        ("Alice!", ALICE, 30, "a good reason here", "--person"),
        ("alice", "alice", 30, "a good reason here", "--principal"),
        (
            "carol",
            f"arn:aws:iam::{ACCOUNT}:user/carol",
            30,
            "a good reason here",
            "cannot approve their own",
        ),
    ],
)
def test_bad_requests_are_refused_with_the_reason(
    person: str, principal: str, minutes: int, reason: str, message: str
) -> None:
    with pytest.raises(access.AccessRequestError, match=message):
        access.new_grant(person, principal, minutes, reason, APPROVER, NOW)
