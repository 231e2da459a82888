"""`woocom validate` on a tiny repository: real Terraform, no provider needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from woocom.tf import checkov, runner, validate
from woocom.tf.checkov import CheckovReport

pytestmark = pytest.mark.terraform

STACK = """\
name: shop
tables:
  main:
    hash_key: pk
functions:
  ping:
    handler: handler.handle
"""

ROOT = """\
variable "package_manifest" {
  type = string
}

locals {
  functions = keys(jsondecode(file(var.package_manifest)).functions)
}

output "functions" {
  value = local.functions
}
"""

TEST = """\
run "reads_the_manifest" {
  command = plan
  assert {
    condition     = local.functions == ["ping"]
    error_message = "the test manifest names every function"
  }
}
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(runner.PROVIDER_ENV, "standin")
    (tmp_path / "stack.yaml").write_text(STACK)
    (tmp_path / "functions" / "ping").mkdir(parents=True)
    (tmp_path / "functions" / "ping" / "handler.py").write_text(
        "def handle(event, context):\n    return 1\n"
    )
    root = tmp_path / "terraform" / "app"
    (root / "tests").mkdir(parents=True)
    (root / "main.tf").write_text(ROOT)
    (root / "tests" / "app.tftest.hcl").write_text(TEST)
    (tmp_path / "terraform" / "modules" / "thing").mkdir(parents=True)
    (tmp_path / "terraform" / "modules" / "thing" / "main.tf").write_text("")
    (tmp_path / "terraform" / "envs").mkdir()
    (tmp_path / "terraform" / "envs" / "staging.tfvars").write_text("")
    return tmp_path


def test_roots_are_folders_with_tf_files_except_modules(repo: Path) -> None:
    assert validate.discover_roots(repo / "terraform") == [repo / "terraform" / "app"]


def test_test_manifest_names_every_function(repo: Path, tmp_path: Path) -> None:
    path = validate.write_test_manifest(repo / "stack.yaml", tmp_path / "out" / "manifest.json")
    manifest = json.loads(path.read_text())
    assert list(manifest["functions"]) == ["ping"]
    assert manifest["functions"]["ping"]["zip"] == ".woocom/build/functions/ping/test.zip"


def test_clean_repository_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert validate.main(["--repo", str(repo), "--skip-checkov"]) == 0
    out = capsys.readouterr().out
    assert "hashicorp/aws: standin provider" in out
    assert "ok   fmt" in out
    assert "ok   app: init, validate, test" in out
    assert "validate passed: 2 steps" in out


def test_unformatted_file_fails_with_a_hint(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "terraform" / "app" / "extra.tf").write_text("locals {\nx=1\n}\n")
    assert validate.main(["--repo", str(repo), "--skip-checkov", "--skip-tests"]) == 1
    captured = capsys.readouterr()
    assert "FAIL fmt" in captured.out
    assert "run `terraform fmt -recursive terraform`" in captured.out
    assert "validate FAILED" in captured.err


def test_failing_terraform_test_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test_file = repo / "terraform" / "app" / "tests" / "app.tftest.hcl"
    test_file.write_text(TEST.replace('["ping"]', '["pong"]'))
    assert validate.main(["--repo", str(repo), "--skip-checkov"]) == 1
    out = capsys.readouterr().out
    assert "FAIL app: init, validate, test" in out
    assert "the test manifest names every function" in out


def test_each_test_file_runs_and_every_failing_one_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo / "terraform" / "app"
    (root / "beside.tftest.hcl").write_text(
        TEST.replace('["ping"]', '["pang"]').replace("names every function", "beside the root")
    )
    (root / "tests" / "other.tftest.hcl").write_text(
        TEST.replace('["ping"]', '["pong"]').replace("names every function", "in tests/")
    )
    assert sorted(p.relative_to(root).as_posix() for p in validate.test_files(root)) == [
        "beside.tftest.hcl",
        "tests/app.tftest.hcl",
        "tests/other.tftest.hcl",
    ]
    assert validate.main(["--repo", str(repo), "--skip-checkov"]) == 1
    out = capsys.readouterr().out
    assert "FAIL app: init, validate, test" in out
    assert "the test manifest beside the root" in out
    assert "the test manifest in tests/" in out
    # The command shown reruns both failing files (it named the first alone).
    assert (
        "`terraform test -filter=beside.tftest.hcl -filter=tests/other.tftest.hcl -no-color`" in out
    )


def test_go_gc_settings_are_ours_unless_the_environment_sets_them() -> None:
    assert validate.go_gc_environment({}) == {"GOGC": "800", "GOMEMLIMIT": "2GiB"}
    assert validate.go_gc_environment({"GOGC": "100"}) == {"GOGC": "100", "GOMEMLIMIT": "2GiB"}


def test_checkov_failures_fail(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = CheckovReport.parse(
        json.dumps(
            {
                "results": {
                    "failed_checks": [
                        {
                            "check_id": "CKV_AWS_1",
                            "check_name": "Something",
                            "file_path": "/app/main.tf",
                            "resource": "aws_x.this",
                        }
                    ]
                }
            }
        )
    )
    monkeypatch.setattr(checkov, "ensure_installed", lambda: Path("checkov"))
    monkeypatch.setattr(checkov, "run_checkov", lambda *args: failing)
    assert validate.main(["--repo", str(repo), "--skip-tests"]) == 1
    out = capsys.readouterr().out
    assert "FAIL checkov" in out
    assert "CKV_AWS_1 app/main.tf aws_x.this: Something" in out


def test_invalid_stack_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "stack.yaml").write_text("name: shop\n")
    assert validate.main(["--repo", str(repo), "--skip-checkov"]) == 1
    assert "validate: " in capsys.readouterr().err


def test_an_unknown_root_is_named_with_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert validate.main(["--skip-tests", "--skip-checkov", "--root", "stak"]) == 1
    assert "--root stak: the roots are bootstrap, stack" in capsys.readouterr().err
