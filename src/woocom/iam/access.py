"""`python -m woocom access-request`: grant break glass to one person for minutes.

The break-glass role (terraform/bootstrap/people.tf) trusts nobody by default. An
approver, signed in to the `<stack>-break-glass-approver` role (MFA), runs

    python -m woocom access-request grant --person alice \\
        --principal arn:aws:iam::<account>:user/alice --minutes 30 \\
        --reason "delete woocom-staging-orders_api: stuck deployment, INC-42"

which adds one statement to the role's trust: that principal, with MFA, with
`--source-identity alice` on the session (so CloudTrail names her in every call),
until now + minutes, a limit IAM itself enforces (aws:CurrentTime), so nothing has
to remember to revoke it. The grant (who, approved by whom, until when, why) is
recorded in the role's tags and in CloudTrail; EventBridge pages the alert topic on
the grant (UpdateAssumeRolePolicy) and on every use (AssumeRole). Expired grants are
dropped whenever the trust is rewritten; `revoke` ends one early.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

MAX_MINUTES = 60  # the role's max_session_duration
ROLE_NAME = "woocom-break-glass"
GRANT_PREFIX = "Grant"
_TAG_UNSAFE = re.compile(r"[^\w .:/=+\-@]")


class AccessRequestError(ValueError):
    """The request cannot be granted as asked; the message says why."""


@dataclass(frozen=True)
class Grant:
    person: str
    principal: str
    until: dt.datetime
    reason: str
    approver: str

    @property
    def sid(self) -> str:
        return f"{GRANT_PREFIX}{self.person.capitalize()}{self.until.strftime('%Y%m%dT%H%M%SZ')}"

    def statement(self) -> dict[str, Any]:
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Principal": {"AWS": self.principal},
            "Condition": {
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
                "NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
                "StringEquals": {"sts:SourceIdentity": self.person},
                "DateLessThan": {"aws:CurrentTime": _iso(self.until)},
            },
        }

    def record(self) -> str:
        """The tag value: who, until, approved by, why (IAM's tag alphabet, 256 characters)."""
        text = f"{self.person} until {_iso(self.until)} by {self.approver}: {self.reason}"
        return _TAG_UNSAFE.sub("_", text)[:256]


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_grant(
    person: str, principal: str, minutes: int, reason: str, approver: str, now: dt.datetime
) -> Grant:
    if not re.fullmatch(r"[a-z][a-z0-9._-]{0,30}", person):
        raise AccessRequestError(
            f"--person {person!r}: a lowercase login name (their source identity)"
        )
    if not re.fullmatch(r"arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)/.+", principal):
        raise AccessRequestError(f"--principal {principal!r}: the person's IAM user or role ARN")
    if not 1 <= minutes <= MAX_MINUTES:
        raise AccessRequestError(f"--minutes {minutes}: between 1 and {MAX_MINUTES}")
    if len(reason.strip()) < 10:
        raise AccessRequestError(
            "--reason: say what and why (an incident or ticket), 10+ characters"
        )
    if approver.rsplit("/", 1)[-1] == person or principal == approver:
        raise AccessRequestError(f"{person} cannot approve their own access")
    return Grant(person, principal, now + dt.timedelta(minutes=minutes), reason.strip(), approver)


def _expired(statement: dict[str, Any], now: dt.datetime) -> bool:
    until = statement.get("Condition", {}).get("DateLessThan", {}).get("aws:CurrentTime")
    if until is None:
        return False
    return dt.datetime.fromisoformat(str(until).replace("Z", "+00:00")) <= now


def trust_with(
    trust: dict[str, Any], now: dt.datetime, add: Grant | None = None, revoke: str | None = None
) -> dict[str, Any]:
    """The trust without expired (or revoked) grants, plus `add`."""
    kept = []
    for statement in trust.get("Statement", []):
        sid = str(statement.get("Sid", ""))
        is_grant = sid.startswith(GRANT_PREFIX)
        revoked = (
            revoke is not None
            and statement.get("Condition", {}).get("StringEquals", {}).get("sts:SourceIdentity")
            == revoke
        )
        if is_grant and (_expired(statement, now) or revoked):
            continue
        kept.append(statement)
    if add is not None:
        kept.append(add.statement())
    return {"Version": "2012-10-17", "Statement": kept}


def _current_trust(iam: Any, role: str) -> dict[str, Any]:
    document = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    parsed: dict[str, Any] = (
        json.loads(unquote(document)) if isinstance(document, str) else document
    )
    return parsed


def grant(iam: Any, role: str, access: Grant, now: dt.datetime) -> dict[str, Any]:
    """Write the grant into the role's trust and its record into the role's tags."""
    trust = trust_with(_current_trust(iam, role), now, add=access)
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust))
    iam.tag_role(RoleName=role, Tags=[{"Key": access.sid, "Value": access.record()}])
    return trust


def revoke(iam: Any, role: str, person: str, now: dt.datetime) -> dict[str, Any]:
    trust = trust_with(_current_trust(iam, role), now, revoke=person)
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(trust))
    return trust


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="woocom access-request", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--role", default=ROLE_NAME, help=f"break-glass role name (default {ROLE_NAME})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    give = commands.add_parser("grant", help="grant one person the role for minutes")
    give.add_argument("--person", required=True, help="login name; the session's source identity")
    give.add_argument("--principal", required=True, help="ARN of the person's IAM user or role")
    give.add_argument("--minutes", type=int, required=True, help=f"1-{MAX_MINUTES}")
    give.add_argument("--reason", required=True, help="what and why: the incident or ticket")
    take = commands.add_parser("revoke", help="end a person's grant now")
    take.add_argument("--person", required=True)
    args = parser.parse_args(argv)

    import boto3

    now = dt.datetime.now(dt.UTC)
    iam = boto3.client("iam")
    approver = boto3.client("sts").get_caller_identity()["Arn"]
    try:
        if args.command == "grant":
            access = new_grant(
                args.person, args.principal, args.minutes, args.reason, approver, now
            )
            grant(iam, args.role, access, now)
            print(
                f"granted {args.role} to {access.person} until {_iso(access.until)} "
                f"(assume it with --source-identity {access.person} and MFA); "
                f"recorded as {access.sid}"
            )
        else:
            revoke(iam, args.role, args.person, now)
            print(f"revoked {args.person}'s grants on {args.role}")
    except AccessRequestError as exc:
        print(f"access-request: {exc}", file=sys.stderr)
        return 2
    return 0
