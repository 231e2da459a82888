"""checkov, offline, in a venv of its own, with its JSON report parsed at the edge.

checkov pins libraries (boto3, packaging) that conflict with the tooling's lock,
so it lives in `.woocom/venvs/checkov`, installed by uv from requirements/checkov.txt
and re-installed when that lock changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from woocom.paths import REPO_ROOT, STATE_DIR

LOCK_FILE = REPO_ROOT / "requirements" / "checkov.txt"
VENV_DIR = STATE_DIR / "venvs" / "checkov"
OFFLINE_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "CKV_PARSE_ERROR_FAIL": "true"}


class CheckovError(RuntimeError):
    """checkov could not be installed or did not produce a report."""


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FailedCheck(_Report):
    check_id: str
    check_name: str
    file_path: str
    resource: str
    file_line_range: list[int] = Field(default_factory=list)
    guideline: str | None = None

    def describe(self) -> str:
        line = f":{self.file_line_range[0]}" if self.file_line_range else ""
        where = f"{self.file_path.lstrip('/')}{line}"
        return f"{self.check_id} {where} {self.resource}: {self.check_name}"


class Results(_Report):
    failed_checks: list[FailedCheck] = Field(default_factory=list)
    parsing_errors: list[str] = Field(default_factory=list)


class Summary(_Report):
    passed: int = 0
    failed: int = 0
    parsing_errors: int = 0
    resource_count: int = 0


class FrameworkReport(_Report):
    check_type: str = "terraform"
    results: Results = Field(default_factory=Results)
    summary: Summary = Field(default_factory=Summary)


class CheckovReport(BaseModel):
    frameworks: list[FrameworkReport]

    @classmethod
    def parse(cls, text: str) -> CheckovReport:
        """checkov prints one object for one framework, a list for several."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckovError(f"checkov printed no JSON report ({exc}):\n{text[:2000]}") from None
        items = data if isinstance(data, list) else [data]
        return cls(frameworks=[FrameworkReport.model_validate(item) for item in items])

    @property
    def failed(self) -> list[FailedCheck]:
        return [check for f in self.frameworks for check in f.results.failed_checks]

    @property
    def parsing_errors(self) -> list[str]:
        return [error for f in self.frameworks for error in f.results.parsing_errors]

    @property
    def passed(self) -> int:
        return sum(f.summary.passed for f in self.frameworks)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.parsing_errors

    def describe(self) -> str:
        lines = [f"{self.passed} passed, {len(self.failed)} failed"]
        lines += [f"  {check.describe()}" for check in self.failed]
        lines += [f"  parse error: {error}" for error in self.parsing_errors]
        return "\n".join(lines)


def ensure_installed(venv: Path = VENV_DIR, lock: Path = LOCK_FILE) -> Path:
    """Create or refresh the checkov venv; return its checkov executable."""
    executable = venv / "bin" / "checkov"
    stamp = venv / ".lock-sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if executable.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return executable
    uv = shutil.which("uv")
    if uv is None:
        raise CheckovError(
            "uv is not on PATH: install the bootstrap tools "
            "(pip install -r requirements/bootstrap.txt)"
        )
    print(f"installing checkov into {venv} from {lock.name} (once per lock change) ...", flush=True)
    python = str(venv / "bin" / "python")
    for command in (
        [uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(venv)],
        [uv, "pip", "install", "--quiet", "--require-hashes", "--python", python, "-r", str(lock)],
    ):
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CheckovError(f"`{' '.join(command)}` failed:\n{done.stderr.strip()}")
    stamp.write_text(digest)
    return executable


def run_checkov(directory: Path, config_file: Path, executable: Path) -> CheckovReport:
    """Scan `directory` offline with the settings and skips of `config_file`."""
    done = subprocess.run(
        [str(executable), "-d", str(directory), "--config-file", str(config_file), "-o", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE_ENV},
        cwd=directory,
        check=False,
    )
    report = CheckovReport.parse(done.stdout)
    if done.returncode not in (0, 1):  # 1 means "checks failed", reported above
        raise CheckovError(f"checkov exited {done.returncode}:\n{done.stderr.strip()[-2000:]}")
    return report
