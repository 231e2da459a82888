"""The sweeper: which stacks go (by workspace, last deploy, label, marker) and the run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import time_machine
from moto import mock_aws

from woocom.deploy import sweeper
from woocom.deploy.environments import Kind
from woocom.deploy.sweeper import PullRequest, Workspace, select

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
BUCKET = "woocom-tfstate-123456789012"
STATE_KEY = "woocom/stack.tfstate"


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def verdicts(decisions: list[sweeper.Decision]) -> dict[str, bool]:
    return {d.workspace: d.destroy for d in decisions}


def test_only_previews_and_developer_stacks_past_the_ttl_go() -> None:
    workspaces = [
        Workspace("pr-12", ago(8)),
        Workspace("pr-13", ago(6.9)),
        Workspace("dev-alice", ago(30)),
        Workspace("dev-bob", ago(1)),
        Workspace("staging", ago(400)),
        Workspace("scratch", ago(400)),
    ]
    decisions = select(workspaces, account="staging", now=NOW)
    assert verdicts(decisions) == {
        "dev-alice": False,
        "dev-bob": False,
        "pr-12": True,
        "pr-13": False,
        "scratch": False,
        "staging": False,
    }
    reasons = {d.workspace: d.reason for d in decisions}
    assert reasons["pr-12"] == "last deployed 8.0 days ago, TTL 7.0 days"
    assert reasons["staging"] == "long-lived environment: never swept"
    assert reasons["scratch"] == "not a deploy target name: left alone"
    # Developer stacks live in the test account (issue 12) and are swept there.
    assert reasons["dev-alice"] == "belongs to the test account: swept there"
    in_test = select(workspaces, account="test", now=NOW)
    assert {d.workspace for d in in_test if d.destroy} == {"dev-alice"}


def test_the_ttl_is_configurable() -> None:
    stacks = [Workspace("dev-carol", ago(3))]
    assert verdicts(select(stacks, account="test", now=NOW)) == {"dev-carol": False}
    short = select(stacks, account="test", now=NOW, ttl=timedelta(days=2))
    assert verdicts(short) == {"dev-carol": True}


def test_a_stack_of_another_account_is_left_to_that_account() -> None:
    decisions = select([Workspace("pr-4", ago(90))], account="test", now=NOW)
    assert verdicts(decisions) == {"pr-4": False}
    assert decisions[0].reason == "belongs to the staging account: swept there"


def test_the_keep_label_keeps_an_open_pull_requests_preview() -> None:
    prs = {
        12: PullRequest(12, frozenset({"keep-preview", "bug"})),
        13: PullRequest(13, frozenset({"bug"})),
    }
    decisions = select(
        [Workspace("pr-12", ago(30)), Workspace("pr-13", ago(30))],
        account="staging",
        now=NOW,
        open_pull_requests=prs,
    )
    assert verdicts(decisions) == {"pr-12": False, "pr-13": True}
    assert decisions[0].reason == "pull request #12 is labelled keep-preview"


def test_a_preview_of_a_closed_pull_request_goes_at_any_age() -> None:
    decisions = select(
        [Workspace("pr-7", ago(0.1))], account="staging", now=NOW, open_pull_requests={}
    )
    assert verdicts(decisions) == {"pr-7": True}
    assert decisions[0].reason == "pull request #7 is not open"


def test_a_keep_until_marker_extends_the_ttl_until_that_day() -> None:
    stacks = [
        Workspace("dev-dave", ago(30), keep_until=date(2026, 12, 2)),
        Workspace("dev-erin", ago(30), keep_until=date(2026, 12, 1)),
    ]
    assert verdicts(select(stacks, account="test", now=NOW)) == {
        "dev-dave": False,
        "dev-erin": True,
    }


# --- the bucket and the command ------------------------------------------------------


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def put_state(s3: Any, workspace: str, when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        s3.put_object(Bucket=BUCKET, Key=f"env:/{workspace}/{STATE_KEY}", Body=b"{}")


def test_workspaces_come_from_the_state_objects_and_markers(s3: Any) -> None:
    put_state(s3, "pr-3", ago(9))
    put_state(s3, "dev-alice", ago(2))
    s3.put_object(Bucket=BUCKET, Key="env:/dev-alice/keep-until", Body=b"2027-01-15\n")
    s3.put_object(Bucket=BUCKET, Key="env:/pr-3/woocom/stack.tfstate.tflock", Body=b"")
    found = {w.name: w for w in sweeper.list_workspaces(s3, BUCKET, STATE_KEY)}
    assert set(found) == {"pr-3", "dev-alice"}
    assert found["pr-3"].last_deploy == ago(9)
    assert found["dev-alice"].keep_until == date(2027, 1, 15)
    assert found["pr-3"].keep_until is None


@pytest.fixture
def envs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "envs"
    folder.mkdir()
    (folder / "staging.backend.hcl").write_text(
        f'bucket = "{BUCKET}"\nkey = "{STATE_KEY}"\nregion = "us-east-1"\n'
    )
    return folder


def test_a_dry_run_reports_and_destroys_nothing(
    s3: Any, envs_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put_state(s3, "pr-3", ago(9))
    put_state(s3, "pr-4", ago(1))
    destroyed: list[str] = []
    code = sweeper.main(
        ["--account", "staging"], s3=s3, destroy=destroyed.append, now=NOW, envs_dir=envs_dir
    )
    assert code == 0
    assert destroyed == []
    out = capsys.readouterr().out
    assert "Sweep: 1 would destroy (pr-3)" in out
    assert "| `pr-4` | 1.0 days | kept |" in out


def test_apply_destroys_the_selected_stacks_and_reports_them(
    s3: Any, envs_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_state(s3, "pr-3", ago(9))
    put_state(s3, "pr-4", ago(1))
    put_state(s3, "pr-5", ago(1))
    put_state(s3, "staging", ago(100))
    prs = tmp_path / "prs.json"
    prs.write_text(json.dumps([{"number": 4, "labels": []}, {"number": 3, "labels": []}]))
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    destroyed: list[str] = []
    argv = ["--account", "staging", "--pull-requests", str(prs), "--apply"]
    code = sweeper.main(argv, s3=s3, destroy=destroyed.append, now=NOW, envs_dir=envs_dir)
    assert code == 0
    assert destroyed == ["pr-3", "pr-5"]
    text = summary.read_text()
    assert "Sweep: 2 destroyed (pr-3, pr-5)" in text
    assert "| `pr-5` | 1.0 days | destroyed | pull request #5 is not open |" in text
    assert "| `staging` | 100.0 days | kept | long-lived environment: never swept |" in text


def test_one_failed_destroy_does_not_stop_the_others_and_fails_the_run(
    s3: Any, envs_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put_state(s3, "pr-3", ago(9))
    put_state(s3, "pr-4", ago(9))
    destroyed: list[str] = []

    def destroy(workspace: str) -> None:
        if workspace == "pr-3":
            raise RuntimeError("terraform destroy failed: DependencyViolation\nmore detail")
        destroyed.append(workspace)

    code = sweeper.main(
        ["--account", "staging", "--apply"], s3=s3, destroy=destroy, now=NOW, envs_dir=envs_dir
    )
    assert code == 1
    assert destroyed == ["pr-4"]
    assert "FAILED: terraform destroy failed: DependencyViolation |" in capsys.readouterr().out


def test_an_unbootstrapped_account_is_refused(
    envs_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (envs_dir / "staging.backend.hcl").write_text(
        'bucket = "woocom-tfstate-<staging-account-id>"\nkey = "k"\n'
    )
    assert sweeper.main(["--account", "staging"], s3=object(), envs_dir=envs_dir) == 1
    assert "the staging account is not bootstrapped" in capsys.readouterr().err


def test_a_run_limited_to_previews_keeps_developer_stacks() -> None:
    decisions = select(
        [Workspace("dev-alice", ago(30))],
        account="test",
        now=NOW,
        kinds=frozenset({Kind.PREVIEW}),
    )
    assert verdicts(decisions) == {"dev-alice": False}
    assert decisions[0].reason == "developer stacks are not swept by this run"
