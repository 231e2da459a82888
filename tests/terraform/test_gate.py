"""The validation gate bites: each injected mistake makes `python -m woocom validate` fail.

Each test copies the Terraform (with stack.yaml and functions/, which the test
manifest is derived from) to a temporary folder, injects one mistake and runs
the command as `nox -s validate` does, in a child process. Terraform tests and
checkov are skipped here, and only the root the mistakes are in (terraform/stack,
whose `validate` loads every module it calls) is checked: the mistakes are caught
earlier, by `validate`, and the untouched copy gets the same options.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from woocom.paths import REPO_ROOT

pytestmark = pytest.mark.terraform

FUNCTION_MODULE = Path("terraform/modules/function/main.tf")
STACK_ROOT = Path("terraform/stack/main.tf")


def copy_repo(into: Path) -> Path:
    ignore = shutil.ignore_patterns(".terraform", "__pycache__", "*.pyc", ".terraform.lock.hcl")
    shutil.copytree(REPO_ROOT / "terraform", into / "terraform", ignore=ignore)
    shutil.copytree(REPO_ROOT / "functions", into / "functions", ignore=ignore)
    shutil.copy2(REPO_ROOT / "stack.yaml", into / "stack.yaml")
    shutil.copy2(REPO_ROOT / ".checkov.yaml", into / ".checkov.yaml")
    return into


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} must occur once in {path}: the injection is stale"
    path.write_text(text.replace(old, new))


def untouched(repo: Path) -> None:
    """The control: the copy itself passes, so each failure below is the injection's."""


def misspelled_argument(repo: Path) -> None:
    # Same length as the original, so `fmt -check` stays quiet and validate speaks.
    replace_once(repo / FUNCTION_MODULE, "  memory_size       ", "  memroy_size       ")


def unknown_resource_type(repo: Path) -> None:
    (repo / "terraform/modules/function/extra.tf").write_text(
        'resource "aws_lambda_fucntion" "extra" {\n  function_name = "x"\n}\n'
    )


def missing_required_argument(repo: Path) -> None:
    replace_once(
        repo / FUNCTION_MODULE, "  role                           = aws_iam_role.this.arn\n", ""
    )


def undeclared_variable(repo: Path) -> None:
    replace_once(repo / STACK_ROOT, "var.git_sha", "var.git_commit")


INJECTIONS: dict[str, Callable[[Path], None]] = {
    f.__name__: f
    for f in (
        untouched,
        misspelled_argument,
        unknown_resource_type,
        missing_required_argument,
        undeclared_variable,
    )
}


def validate(repo: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WOOCOM_TF_PROVIDER": os.environ.get("WOOCOM_TF_PROVIDER", "standin")}
    command = [sys.executable, "-m", "woocom", "validate", "--repo", str(repo)]
    return subprocess.run(
        [*command, "--skip-tests", "--skip-checkov", "--root", "stack"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every scenario's validate run, side by side: each is mostly waiting on Terraform."""

    # Folders are made here, in one thread: pytest's tmp_path_factory is not thread-safe
    # (two threads creating its base folder at once get two different ones).
    folders = {name: tmp_path_factory.mktemp(name) for name in INJECTIONS}

    def run(name: str) -> subprocess.CompletedProcess[str]:
        repo = copy_repo(folders[name])
        INJECTIONS[name](repo)
        return validate(repo)

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(INJECTIONS, pool.map(run, INJECTIONS), strict=True))


def assert_fails_with(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "validate FAILED" in output
    for text in expected:
        assert text in output, output


def test_the_untouched_copy_passes(outcomes: dict[str, subprocess.CompletedProcess[str]]) -> None:
    result = outcomes["untouched"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   stack: init, validate, test" in result.stdout


def test_misspelled_argument(outcomes: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert_fails_with(
        outcomes["misspelled_argument"],
        "Unsupported argument",
        'An argument named "memroy_size" is not expected here. Did you mean',
    )


def test_unknown_resource_type(outcomes: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert_fails_with(
        outcomes["unknown_resource_type"],
        "Invalid resource type",
        'does not support resource type\n     "aws_lambda_fucntion"',
    )


def test_missing_required_argument(outcomes: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert_fails_with(
        outcomes["missing_required_argument"],
        "Missing required argument",
        'The argument "role" is required, but no definition',
    )


def test_undeclared_variable(outcomes: dict[str, subprocess.CompletedProcess[str]]) -> None:
    assert_fails_with(
        outcomes["undeclared_variable"],
        "Reference to undeclared input variable",
        'An input variable with the name "git_commit" has not been declared',
    )
