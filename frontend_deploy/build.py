"""The local side: run the frontend build, then describe every file it produced."""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from frontend_deploy.errors import PublishError
from frontend_deploy.rules import Rules

ENTRY_DOCUMENT = "index.html"


@dataclass(frozen=True)
class LocalFile:
    """One file of the build, with the headers it will be served with."""

    key: str
    path: Path
    size: int
    sha256: str
    content_type: str
    cache_control: str
    hashed: bool

    @property
    def upload_phase(self) -> int:
        """Hashed assets first, then other unhashed files, then HTML, the root index last.

        A visitor who gets the new index.html therefore always finds what it references.
        """
        if self.hashed:
            return 0
        if self.key == ENTRY_DOCUMENT:
            return 3
        return 2 if self.content_type.startswith("text/html") else 1


def run_build(command: str, environment: str, cwd: Path | None = None) -> None:
    """Run `--build-cmd` in `cwd` (default: the current directory) with ENV=<environment>."""
    argv = shlex.split(command)
    if not argv:
        raise PublishError("--build-cmd is empty")
    print(f"building: {command} (ENV={environment})", flush=True)
    try:
        completed = subprocess.run(
            argv, cwd=cwd, env={**os.environ, "ENV": environment}, check=False
        )
    except FileNotFoundError:
        raise PublishError(f"build command not found: {argv[0]!r}; nothing was published") from None
    if completed.returncode != 0:
        raise PublishError(
            f"build command failed with exit code {completed.returncode}; nothing was published"
        )


def scan(build_dir: Path, rules: Rules) -> list[LocalFile]:
    """Every publishable file under `build_dir`, sorted by key; checks the build is whole."""
    if not build_dir.is_dir():
        raise PublishError(
            f"build directory {build_dir} does not exist: build the frontend first "
            "(or pass --build-cmd)"
        )
    if not (build_dir / ENTRY_DOCUMENT).is_file():
        raise PublishError(
            f"{build_dir} has no {ENTRY_DOCUMENT}: is --build-dir the build output "
            "(e.g. dist/), and did the build finish?"
        )
    files: list[LocalFile] = []
    for path in sorted(build_dir.rglob("*")):
        if not path.is_file():
            continue
        key = path.relative_to(build_dir).as_posix()
        if rules.is_excluded(key):
            continue
        rule = rules.cache_rule(key)
        files.append(
            LocalFile(
                key=key,
                path=path,
                size=path.stat().st_size,
                sha256=file_sha256(path),
                content_type=rules.content_type(key),
                cache_control=rule.cache_control,
                hashed=rule.hashed,
            )
        )
    return files


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
