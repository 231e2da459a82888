"""Every refusal in front of an environment, on real git repositories."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from woocom.deploy import guards
from woocom.deploy.environments import resolve
from woocom.deploy.guards import RefusedError
from woocom.deploy.plan import PlanSummary, summarize

PRODUCTION = resolve("production")
STAGING = resolve("staging")
FIXTURES = Path(__file__).parent / "fixtures"
TABLE = 'module.data.aws_dynamodb_table.this["main"]'
BUCKET = 'module.data.aws_s3_bucket.this["imports"]'


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "stack.yaml").write_text("name: shop\n")
    git(tmp_path, "add", "stack.yaml")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


# --- production: approval, clean tree, commit on main ----------------------------------


def test_production_needs_approval() -> None:
    with pytest.raises(RefusedError) as caught:
        guards.require_approval(PRODUCTION, False, {})
    assert "re-run with --approve" in str(caught.value)
    assert "nox -s plan -- production" in str(caught.value)


def test_approval_by_flag_or_by_the_protected_ci_environment() -> None:
    guards.require_approval(PRODUCTION, True, {})
    guards.require_approval(PRODUCTION, False, {guards.APPROVAL_VARIABLE: "production"})
    with pytest.raises(RefusedError):
        guards.require_approval(PRODUCTION, False, {guards.APPROVAL_VARIABLE: "staging"})


def test_a_clean_tree_passes(repo: Path) -> None:
    guards.require_clean_tree(repo)


def test_modified_and_untracked_files_are_refused(repo: Path) -> None:
    (repo / "stack.yaml").write_text("name: other\n")
    (repo / "new.py").write_text("")
    with pytest.raises(RefusedError) as caught:
        guards.require_clean_tree(repo)
    message = str(caught.value)
    assert "uncommitted changes" in message
    assert " M stack.yaml" in message
    assert "?? new.py" in message


def test_long_lists_of_changes_are_shortened(repo: Path) -> None:
    for i in range(13):
        (repo / f"f{i:02}.txt").write_text("")
    with pytest.raises(RefusedError, match=r"\.\.\. and 3 more"):
        guards.require_clean_tree(repo)


def test_not_a_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="cannot read the git status"):
        guards.require_clean_tree(tmp_path)


def test_a_commit_on_main_passes(repo: Path) -> None:
    assert guards.require_on_main(repo) == "main"


def test_a_branch_commit_is_refused(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "stack.yaml").write_text("name: feature\n")
    git(repo, "commit", "-q", "-am", "feature work")
    with pytest.raises(RefusedError) as caught:
        guards.require_on_main(repo)
    message = str(caught.value)
    assert f"commit {git(repo, 'rev-parse', '--short', 'HEAD')} is not on main" in message
    assert "Merge the change through a pull request" in message


def test_origin_main_is_preferred_over_a_local_main(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    assert guards.require_on_main(clone) == "origin/main"


def test_without_any_main_the_fix_is_named(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    (tmp_path / "a").write_text("")
    git(tmp_path, "add", "a")
    git(tmp_path, "commit", "-q", "-m", "x")
    with pytest.raises(RefusedError, match="git fetch origin main"):
        guards.require_on_main(tmp_path)


def test_head_commit_is_the_full_sha_or_unknown(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert guards.head_commit(repo) == git(repo, "rev-parse", "HEAD")
    assert guards.head_commit(tmp_path_factory.mktemp("not-a-repo")) == "unknown"


# --- data loss -------------------------------------------------------------------------


def plan() -> PlanSummary:
    return summarize(json.loads((FIXTURES / "plan_staging_aws.json").read_text()))


def test_production_refuses_a_plan_that_destroys_data() -> None:
    with pytest.raises(RefusedError) as caught:
        guards.require_allowed_data_loss(PRODUCTION, plan(), [])
    message = str(caught.value)
    assert "the plan destroys data in production; nothing was applied" in message
    assert f"replace {TABLE}" in message
    assert f"--allow-destroy '{TABLE}' --allow-destroy '{BUCKET}'" in message


def test_allow_destroy_must_name_every_address() -> None:
    with pytest.raises(RefusedError) as caught:
        guards.require_allowed_data_loss(PRODUCTION, plan(), [TABLE])
    assert TABLE not in str(caught.value)
    assert BUCKET in str(caught.value)
    guards.require_allowed_data_loss(PRODUCTION, plan(), [TABLE, BUCKET])


def test_other_environments_only_flag_data_loss() -> None:
    guards.require_allowed_data_loss(STAGING, plan(), [])


# --- committed environment files -------------------------------------------------------


def test_placeholders_mean_the_account_is_not_bootstrapped(tmp_path: Path) -> None:
    backend = tmp_path / "staging.backend.hcl"
    backend.write_text('bucket = "woocom-tfstate-<staging-account-id>"\n')
    (tmp_path / "staging.tfvars").write_text('environment = "staging"\n')
    with pytest.raises(RefusedError) as caught:
        guards.require_configured(STAGING, tmp_path)
    assert "still holds <staging-account-id>" in str(caught.value)
    assert "Run terraform/bootstrap" in str(caught.value)


def test_a_missing_variables_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "staging.backend.hcl").write_text('bucket = "woocom-tfstate-111111111111"\n')
    with pytest.raises(RefusedError, match=r"staging\.tfvars is missing"):
        guards.require_configured(STAGING, tmp_path)
