"""Target names -> account, workspace and the committed files each one uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from woocom.deploy.environments import Kind, UnknownEnvironmentError, placeholders, resolve

ENVS = Path("terraform/envs")


@pytest.mark.parametrize(
    ("name", "kind", "account", "var_file"),
    [
        ("staging", Kind.STAGING, "staging", "staging.tfvars"),
        ("production", Kind.PRODUCTION, "production", "production.tfvars"),
        ("pr-1", Kind.PREVIEW, "staging", "preview.tfvars"),
        ("pr-123456", Kind.PREVIEW, "staging", "preview.tfvars"),
        ("dev-alice", Kind.DEVELOPER, "test", "developer.tfvars"),
        ("dev-bob2", Kind.DEVELOPER, "test", "developer.tfvars"),
    ],
)
def test_targets_map_to_account_workspace_and_files(
    name: str, kind: Kind, account: str, var_file: str
) -> None:
    env = resolve(name)
    assert (env.kind, env.account, env.workspace) == (kind, account, name)
    assert env.backend_file(ENVS) == ENVS / f"{account}.backend.hcl"
    assert env.var_file(ENVS) == ENVS / var_file


def test_only_production_is_protected_and_only_long_lived_ones_survive_destroy() -> None:
    assert [resolve(n).protected for n in ("staging", "production", "pr-1", "dev-x")] == [
        False,
        True,
        False,
        False,
    ]
    assert [resolve(n).long_lived for n in ("staging", "production", "pr-1", "dev-x")] == [
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("prod", "did you mean 'production'?"),
        ("stagin", "did you mean 'staging'?"),
        ("dev_alice", "did you mean 'dev-alice'?"),
        ("dev-Alice", "did you mean 'dev-alice'?"),
        ("dev-averyveryverylongname", "1-12 lowercase letters and digits"),
        ("pr-0", "pr- and the pull request number"),
        ("pr-abc", "pr- and the pull request number"),
        ("local", "run it with `nox -s dev`"),
        ("default", "use staging, production, pr-<number>"),
    ],
)
def test_bad_names_are_refused_with_a_hint(name: str, hint: str) -> None:
    with pytest.raises(UnknownEnvironmentError) as caught:
        resolve(name)
    assert str(caught.value).startswith(f"{name!r} is not a deploy target: ")
    assert hint in str(caught.value)


def test_placeholders_left_by_the_template_are_found(tmp_path: Path) -> None:
    backend = tmp_path / "staging.backend.hcl"
    backend.write_text(
        "# one workspace each, under env:/<workspace>/\n"
        'bucket = "woocom-tfstate-<staging-account-id>"  # from the bootstrap\n'
        'region = "us-east-1"\n'
    )
    assert placeholders(backend) == ["<staging-account-id>"]
    backend.write_text('bucket = "woocom-tfstate-111111111111"\n')
    assert placeholders(backend) == []


def test_committed_environment_files_exist_for_every_kind() -> None:
    root = Path(__file__).resolve().parents[3] / "terraform" / "envs"
    for name in ("staging", "production", "pr-1", "dev-alice"):
        env = resolve(name)
        assert env.backend_file(root).is_file()
        assert env.var_file(root).is_file()
        assert "use_lockfile = true" in env.backend_file(root).read_text()
