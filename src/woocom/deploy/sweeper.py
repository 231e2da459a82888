"""Destroy previews and developer stacks that outlived their TTL (`nox -s sweep`).

Every workspace of an account's state bucket is judged (`select`) from its name, the
last write of its state object (every apply writes it: the last deploy), an optional
keep-until marker beside it (`env:/<workspace>/keep-until`, an ISO date) and, for
previews, the repository's open pull requests and their labels. staging and
production are never touched. Without --apply it only reports.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from woocom.deploy.environments import Kind, UnknownEnvironmentError, resolve

DEFAULT_TTL = timedelta(days=7)
KEEP_LABEL = "keep-preview"
KEEP_MARKER = "keep-until"
# The S3 backend stores workspace <w> under env:/<w>/<key> (workspace_key_prefix).
WORKSPACE_PREFIX = "env:/"


class SweepError(RuntimeError):
    """The sweep could not start (no bucket, unreadable input); nothing was destroyed."""


@dataclass(frozen=True)
class Workspace:
    name: str
    last_deploy: datetime
    keep_until: date | None = None


@dataclass(frozen=True)
class PullRequest:
    number: int
    labels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Decision:
    workspace: str
    destroy: bool
    reason: str
    age: timedelta


def _days(age: timedelta) -> str:
    return f"{age.total_seconds() / 86400:.1f} days"


def judge(
    workspace: Workspace,
    *,
    account: str,
    now: datetime,
    ttl: timedelta,
    open_pull_requests: Mapping[int, PullRequest] | None,
    kinds: frozenset[Kind] = frozenset({Kind.PREVIEW, Kind.DEVELOPER}),
) -> Decision:
    age = now - workspace.last_deploy

    def decide(destroy: bool, reason: str) -> Decision:
        return Decision(workspace.name, destroy, reason, age)

    try:
        env = resolve(workspace.name)
    except UnknownEnvironmentError:
        return decide(False, "not a deploy target name: left alone")
    if env.long_lived:
        return decide(False, "long-lived environment: never swept")
    if env.account != account:
        return decide(False, f"belongs to the {env.account} account: swept there")
    if env.kind not in kinds:
        return decide(False, f"{env.kind} stacks are not swept by this run")
    if workspace.keep_until is not None and now.date() <= workspace.keep_until:
        return decide(False, f"kept until {workspace.keep_until.isoformat()} (keep-until marker)")
    if env.kind is Kind.PREVIEW and open_pull_requests is not None:
        number = int(workspace.name.removeprefix("pr-"))
        pull_request = open_pull_requests.get(number)
        if pull_request is None:
            return decide(True, f"pull request #{number} is not open")
        if KEEP_LABEL in pull_request.labels:
            return decide(False, f"pull request #{number} is labelled {KEEP_LABEL}")
    if age > ttl:
        return decide(True, f"last deployed {_days(age)} ago, TTL {_days(ttl)}")
    return decide(False, f"deployed {_days(age)} ago, within the TTL of {_days(ttl)}")


def select(
    workspaces: Iterable[Workspace],
    *,
    account: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
    open_pull_requests: Mapping[int, PullRequest] | None = None,
    kinds: frozenset[Kind] = frozenset({Kind.PREVIEW, Kind.DEVELOPER}),
) -> list[Decision]:
    """A decision for every workspace, in name order; `open_pull_requests` None: unknown."""
    return [
        judge(
            w,
            account=account,
            now=now,
            ttl=ttl,
            open_pull_requests=open_pull_requests,
            kinds=kinds,
        )
        for w in sorted(workspaces, key=lambda w: w.name)
    ]


# --- the account's state bucket --------------------------------------------------------


def backend_settings(path: Path) -> dict[str, str]:
    """`name = "value"` pairs of a backend .hcl file."""
    pairs = re.findall(r'^\s*(\w+)\s*=\s*"([^"]*)"', path.read_text(encoding="utf-8"), re.M)
    return dict(pairs)


def list_workspaces(s3: Any, bucket: str, state_key: str) -> list[Workspace]:
    """Workspaces with a state object in the bucket, their last deploy and keep-until marker."""
    deployed: dict[str, datetime] = {}
    markers: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=WORKSPACE_PREFIX
    ):
        for item in page.get("Contents", []):
            name, _, rest = item["Key"].removeprefix(WORKSPACE_PREFIX).partition("/")
            if rest == state_key:
                deployed[name] = item["LastModified"].astimezone(UTC)
            elif rest == KEEP_MARKER:
                markers[name] = item["Key"]
    workspaces = []
    for name, last_deploy in deployed.items():
        keep_until = None
        if name in markers:
            text = s3.get_object(Bucket=bucket, Key=markers[name])["Body"].read().decode()
            try:
                keep_until = date.fromisoformat(text.strip())
            except ValueError:
                print(f"{markers[name]}: {text.strip()!r} is not a date (YYYY-MM-DD); ignored")
        workspaces.append(Workspace(name, last_deploy, keep_until))
    return workspaces


def read_pull_requests(path: Path) -> dict[int, PullRequest]:
    """`gh pr list --json number,labels` output, by number."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return {
            int(item["number"]): PullRequest(
                int(item["number"]), frozenset(label["name"] for label in item.get("labels", []))
            )
            for item in items
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SweepError(f"{path}: not a `gh pr list --json number,labels` list ({exc})") from None


def report(decisions: Sequence[Decision], *, applied: bool, failed: Mapping[str, str]) -> str:
    """A Markdown table of every workspace and what happened to it."""
    verb = "destroyed" if applied else "would destroy"
    lines = ["| workspace | age | decision | why |", "|---|---|---|---|"]
    for d in decisions:
        if not d.destroy:
            outcome = "kept"
        elif d.workspace in failed:
            outcome = f"FAILED: {failed[d.workspace]}"
        else:
            outcome = verb
        lines.append(f"| `{d.workspace}` | {_days(d.age)} | {outcome} | {d.reason} |")
    gone = [d.workspace for d in decisions if d.destroy and d.workspace not in failed]
    head = f"Sweep: {len(gone)} {verb}" + (f" ({', '.join(gone)})" if gone else "")
    return "\n".join([head, "", *lines, ""])


def main(
    argv: Sequence[str],
    *,
    s3: Any = None,
    destroy: Callable[[str], None] | None = None,
    now: datetime | None = None,
    envs_dir: Path | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog="python -m woocom.deploy.sweeper", description=__doc__)
    parser.add_argument("--account", required=True, choices=["staging", "test"])
    parser.add_argument("--ttl-days", type=float, default=DEFAULT_TTL.days)
    parser.add_argument(
        "--pull-requests", type=Path, help="`gh pr list --state open --json number,labels` output"
    )
    parser.add_argument("--apply", action="store_true", help="destroy (default: report only)")
    parser.add_argument(
        "--only",
        choices=[Kind.PREVIEW.value, Kind.DEVELOPER.value],
        help="sweep only previews or only developer stacks (the role may reach only those)",
    )
    args = parser.parse_args(argv)
    from woocom.deploy.commands import DeployPaths

    envs_dir = envs_dir or DeployPaths().envs_dir
    backend_file = envs_dir / f"{args.account}.backend.hcl"
    try:
        settings = backend_settings(backend_file)
        bucket, key = settings["bucket"], settings["key"]
        if "<" in bucket:
            raise SweepError(f"{backend_file}: the {args.account} account is not bootstrapped")
        prs = read_pull_requests(args.pull_requests) if args.pull_requests else None
    except (OSError, KeyError) as exc:
        print(f"sweep cannot start: {backend_file}: {exc}", file=sys.stderr)
        return 1
    except SweepError as exc:
        print(f"sweep cannot start: {exc}", file=sys.stderr)
        return 1
    if s3 is None:
        import boto3

        s3 = boto3.client("s3", region_name=settings.get("region"))
    decisions = select(
        list_workspaces(s3, bucket, key),
        account=args.account,
        now=now or datetime.now(UTC),
        ttl=timedelta(days=args.ttl_days),
        open_pull_requests=prs,
        kinds=frozenset({Kind(args.only)})
        if args.only
        else frozenset({Kind.PREVIEW, Kind.DEVELOPER}),
    )
    failed: dict[str, str] = {}
    if args.apply:
        destroy = destroy or _destroy_with_terraform
        for decision in decisions:
            if decision.destroy:
                try:
                    destroy(decision.workspace)
                except Exception as exc:
                    failed[decision.workspace] = str(exc).splitlines()[0]
    text = report(decisions, applied=args.apply, failed=failed)
    print(text)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as out:
            out.write(text)
    return 1 if failed else 0


def _destroy_with_terraform(workspace: str) -> None:
    from woocom.deploy.commands import Deployer

    Deployer().destroy(resolve(workspace))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
