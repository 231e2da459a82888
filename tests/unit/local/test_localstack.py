"""The localstack target's code path, as far as it runs without Docker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from woocom.emulated import REGION
from woocom.local import localstack
from woocom.paths import REPO_ROOT


def fake_run(returncode: int, stderr: str = "") -> Any:
    def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, returncode, "27.0.1\n", stderr)

    return run


def test_no_docker_command_is_explained() -> None:
    with pytest.raises(localstack.LocalStackUnavailableError, match="no `docker` command"):
        localstack.require_docker(fake_run(0), which=lambda _: None)


def test_docker_without_an_engine_is_explained() -> None:
    run = fake_run(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n")
    with pytest.raises(localstack.LocalStackUnavailableError, match=r"Cannot connect.*nox -s test"):
        localstack.require_docker(run, which=lambda _: "/usr/bin/docker")


def test_a_running_engine_passes() -> None:
    assert localstack.require_docker(fake_run(0), which=lambda _: "/bin/docker") == "/bin/docker"


def test_outputs_point_at_localstack() -> None:
    tf = {
        "api_url": {"value": "https://a1b2c3.execute-api.us-east-1.amazonaws.com/localstack"},
        "buckets": {"value": {"imports": "woocom-localstack-imports"}},
        "queues": {"value": {"orders": {"url": "q", "arn": "a", "dlq_url": "d"}}},
    }
    outputs = localstack.localstack_outputs(tf)
    assert outputs["api_url"] == "http://localhost:4566/_aws/execute-api/a1b2c3/localstack"
    assert outputs["aws_endpoint_url"] == "http://localhost:4566"
    assert outputs["imports_bucket"] == "woocom-localstack-imports"


def test_terraform_inputs_override_every_endpoint(tmp_path: Path) -> None:
    variables = localstack.apply_variables(tmp_path / "manifest.json")
    assert "-var=environment=localstack" in variables
    assert "-var=enable_cdn=false" in variables
    overrides = json.loads(variables[-1].removeprefix("-var=endpoint_overrides="))
    assert set(overrides) == set(localstack.SERVICES)
    assert set(overrides.values()) == {"http://localhost:4566"}
    assert 'endpoints = { s3 = "http://localhost:4566" }' in localstack.backend_config()


@pytest.mark.slow  # pytest in a subprocess
def test_suite_fails_at_once_without_docker(tmp_path: Path) -> None:
    # The real user path: no engine here, so pytest must stop before running anything.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/integration",
            "--target",
            "localstack",
            "-p",
            "no:cacheprovider",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(tmp_path)},  # no docker command at all
    )
    assert result.returncode != 0
    assert "--target localstack needs Docker" in result.stderr
    assert "passed" not in result.stdout


def test_running_brings_localstack_up_and_always_down(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr("shutil.which", lambda _: "/bin/docker")
    monkeypatch.setattr(localstack, "apply_stack", lambda: {"api_url": "http://x"})
    seen: list[dict[str, Any]] = []

    def suite() -> None:
        with localstack.running(run) as outputs:
            seen.append(outputs)
            raise RuntimeError("suite failed")

    with pytest.raises(RuntimeError, match="suite failed"):
        suite()
    assert seen == [{"api_url": "http://x"}]
    compose = ["/bin/docker", "compose", "--file", str(localstack.COMPOSE_FILE)]
    assert calls[1:] == [[*compose, "up", "--detach", "--wait"], [*compose, "down", "--volumes"]]


@pytest.mark.slow  # a whole local stack
def test_tokens_from_the_stack_pool(tmp_path: Path, mini_project: Path) -> None:
    from woocom.local.auth import CognitoAuthorizer
    from woocom.local.runtime import LocalRuntime

    with LocalRuntime(
        port=0, stack_file=mini_project, seed_file=None, outputs_path=tmp_path / "o.json"
    ) as runtime:
        out = runtime.outputs
        admin, shopper = localstack.tokens(out)
        authorizer = CognitoAuthorizer(
            out["aws_endpoint_url"], REGION, out["user_pool_id"], out["user_pool_client_id"]
        )
        assert admin is not None
        assert shopper is not None
        assert authorizer.claims(admin)["cognito:groups"] == "admin"
        assert "cognito:groups" not in authorizer.claims(shopper)
        # A second run finds the users already there: no tokens, and a message instead.
        assert localstack.tokens(out) == (None, None)
    assert localstack.tokens({"aws_endpoint_url": "http://127.0.0.1:9"}) == (None, None)
