"""checkov wrapper: report parsing, the venv bootstrap, the offline invocation."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from woocom.paths import REPO_ROOT
from woocom.tf import checkov
from woocom.tf.checkov import CheckovError, CheckovReport

FAILED: dict[str, object] = {
    "check_id": "CKV_AWS_117",
    "check_name": "Ensure that AWS Lambda function is configured inside a VPC",
    "file_path": "/modules/function/main.tf",
    "resource": "module.function.aws_lambda_function.this",
    "file_line_range": [106, 140],
}


def framework(
    failed: list[dict[str, object]], passed: int = 3, errors: list[str] | None = None
) -> dict[str, object]:
    return {
        "check_type": "terraform",
        "results": {"failed_checks": failed, "parsing_errors": errors or []},
        "summary": {"passed": passed, "failed": len(failed), "resource_count": 9},
    }


def test_clean_report() -> None:
    report = CheckovReport.parse(json.dumps(framework([])))
    assert report.ok
    assert report.describe() == "3 passed, 0 failed"


def test_failures_name_check_file_line_and_resource() -> None:
    report = CheckovReport.parse(json.dumps([framework([FAILED]), framework([], passed=2)]))
    assert not report.ok
    assert report.passed == 5
    assert report.describe().splitlines() == [
        "5 passed, 1 failed",
        "  CKV_AWS_117 modules/function/main.tf:106 module.function.aws_lambda_function.this: "
        "Ensure that AWS Lambda function is configured inside a VPC",
    ]


def test_parse_errors_fail_the_report() -> None:
    report = CheckovReport.parse(json.dumps(framework([], errors=["/stack/main.tf"])))
    assert not report.ok
    assert "parse error: /stack/main.tf" in report.describe()


def test_output_that_is_not_a_report() -> None:
    with pytest.raises(CheckovError, match="checkov printed no JSON report"):
        CheckovReport.parse("Traceback (most recent call last): ...")


def fake_checkov(tmp_path: Path, report: object, exit_code: int) -> Path:
    """A stand-in executable: records its arguments and environment, prints a report."""
    script = tmp_path / "checkov"
    record = tmp_path / "call.json"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys\n"
        "call = {'argv': sys.argv[1:], 'cwd': os.getcwd(), 'env': dict(os.environ)}\n"
        f"json.dump(call, open({str(record)!r}, 'w'))\n"
        f"print({json.dumps(json.dumps(report))})\n"
        f"sys.exit({exit_code})\n"
    )
    script.chmod(0o755)
    return script


def test_run_is_offline_and_uses_our_config(tmp_path: Path) -> None:
    executable = fake_checkov(tmp_path, framework([FAILED]), exit_code=1)
    report = checkov.run_checkov(tmp_path, tmp_path / ".checkov.yaml", executable)
    assert [check.check_id for check in report.failed] == ["CKV_AWS_117"]
    call = json.loads((tmp_path / "call.json").read_text())
    assert call["argv"] == [
        "-d",
        str(tmp_path),
        "--config-file",
        str(tmp_path / ".checkov.yaml"),
        "-o",
        "json",
    ]
    assert call["env"]["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"
    assert call["env"]["CKV_PARSE_ERROR_FAIL"] == "true"


def test_crash_is_reported(tmp_path: Path) -> None:
    executable = fake_checkov(tmp_path, framework([]), exit_code=2)
    with pytest.raises(CheckovError, match="checkov exited 2"):
        checkov.run_checkov(tmp_path, tmp_path / ".checkov.yaml", executable)


def test_installed_venv_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lock = tmp_path / "checkov.txt"
    lock.write_text("checkov==3.3.30\n")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "checkov").write_text("")
    (venv / ".lock-sha256").write_text("stale")
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(CheckovError, match="uv is not on PATH"):
        checkov.ensure_installed(venv, lock)
    (venv / ".lock-sha256").write_text(hashlib.sha256(lock.read_bytes()).hexdigest())
    assert checkov.ensure_installed(venv, lock) == venv / "bin" / "checkov"


def test_failed_install_shows_uv_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_uv = tmp_path / "uv"
    fake_uv.write_text("#!/bin/sh\necho 'No solution found when resolving' >&2\nexit 1\n")
    fake_uv.chmod(0o755)
    monkeypatch.setattr("shutil.which", lambda name: str(fake_uv))
    lock = tmp_path / "checkov.txt"
    lock.write_text("checkov==0\n")
    with pytest.raises(CheckovError, match="No solution found when resolving"):
        checkov.ensure_installed(tmp_path / "venv", lock)


def test_skips_each_have_a_reason() -> None:
    lines = (REPO_ROOT / ".checkov.yaml").read_text().splitlines()
    skips = [line.strip() for line in lines if line.strip().startswith("- CKV")]
    assert skips, "the skip list is where it is expected"
    for skip in skips:
        check, _, reason = skip.removeprefix("- ").partition("#")
        assert check.strip().replace("_", "").isalnum(), skip
        assert len(reason.strip()) > 20, f"{check.strip()} needs a reason on its line"


def test_inline_skips_are_listed_in_the_skip_file() -> None:
    """One file lists every skip: resource-scoped inline ones are named in .checkov.yaml too."""
    listed: dict[str, set[str]] = {}
    for line in (REPO_ROOT / ".checkov.yaml").read_text().splitlines():
        if line.startswith("#   inline: "):
            path, *rest = line.removeprefix("#   inline: ").split()
            listed[path] = {word for word in rest if word.startswith("CKV")}
    inline: dict[str, set[str]] = {}
    for tf_file in sorted((REPO_ROOT / "terraform").rglob("*.tf")):
        for line in tf_file.read_text().splitlines():
            if "checkov:skip=" in line:
                check = line.split("checkov:skip=", 1)[1].split(":", 1)[0]
                inline.setdefault(str(tf_file.relative_to(REPO_ROOT)), set()).add(check)
    assert inline == listed


def test_a_lock_without_hashes_is_refused(tmp_path: Path) -> None:
    """checkov installs with --require-hashes: an unhashed pin never reaches the index."""
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: run with the bootstrap tools (nox)")
    lock = tmp_path / "checkov.txt"
    lock.write_text("six==1.17.0\n")
    with pytest.raises(CheckovError, match="hash"):
        checkov.ensure_installed(tmp_path / "venv", lock)
