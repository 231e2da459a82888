"""Runtime dependencies installed per (lock, platform, Python) into a cache, by uv."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from woocom.packaging.base import (
    FORMAT_VERSION,
    RUNTIME_LOCK,
    PackagingError,
)
from woocom.paths import display_path


def uv_binary() -> str:
    found = shutil.which("uv")
    if found is None:
        raise PackagingError(
            "uv is not on PATH: install the bootstrap tools with "
            "`pip install -r requirements/bootstrap.txt`"
        )
    return found


def pinned_version(distribution: str, lock: Path) -> str:
    """The `name==version` line for a distribution in a compiled lock file."""
    pattern = re.compile(rf"^{re.escape(distribution)}==(\S+)", re.MULTILINE | re.IGNORECASE)
    match = pattern.search(lock.read_text(encoding="utf-8"))
    if match is None:
        raise PackagingError(f"{lock} pins no {distribution}: recompile it")
    return f"{distribution}=={match[1]}"


class DependencyCache:
    """Runtime dependencies installed per (lock, platform, Python), keyed by their digest.

    Installation goes to a temporary directory renamed into place when complete,
    so an interrupted install is never mistaken for a finished one.
    """

    def __init__(
        self, root: Path, lock: Path = RUNTIME_LOCK, progress: Callable[[str], None] = print
    ) -> None:
        self.root = root
        self.lock = lock
        self.progress = progress
        self._uv_version: str | None = None
        # Functions build in parallel; the first to need a platform installs it once.
        self._install_lock = threading.Lock()
        # key -> why uv could not install it: the other functions fail with it at once.
        self._failed: dict[str, str] = {}

    def uv_version(self) -> str:
        if self._uv_version is None:
            result = subprocess.run(
                [uv_binary(), "--version"], capture_output=True, text=True, check=True
            )
            self._uv_version = result.stdout.strip()
        return self._uv_version

    def key(self, platform_tag: str, python_version: str, extra: Sequence[str] = ()) -> str:
        # The uv version is part of the key: it writes the dist-info files that go in the zip.
        material = [
            f"format {FORMAT_VERSION}",
            self.uv_version(),
            platform_tag,
            python_version,
            *extra,
            self.lock.read_text(encoding="utf-8"),
        ]
        return hashlib.sha256("\n".join(material).encode()).hexdigest()

    def install(
        self, platform_tag: str, python_version: str, extra: Sequence[str] = ()
    ) -> tuple[str, Path]:
        """(key, directory) of the installed dependencies, installing them on first use."""
        key = self.key(platform_tag, python_version, extra)
        directory = self.root / key[:20]
        with self._install_lock:
            if key in self._failed:
                raise PackagingError(self._failed[key])
            if not directory.is_dir():
                try:
                    self._install(platform_tag, python_version, extra, key, directory)
                except PackagingError as exc:
                    self._failed[key] = str(exc)
                    raise
        return key, directory

    def _install(
        self,
        platform_tag: str,
        python_version: str,
        extra: Sequence[str],
        key: str,
        directory: Path,
    ) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{key[:20]}.", dir=self.root))
        self.progress(f"  installing runtime dependencies: {platform_tag}, Python {python_version}")
        command = [
            uv_binary(),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(partial),
            "--python-platform",
            platform_tag,
            "--python-version",
            python_version,
            "--only-binary",
            ":all:",
            "--link-mode",
            "copy",
            "-r",
            str(self.lock),
        ]
        # The lock is complete: install exactly it, every file checked against its hashes.
        # Extras (boto3, only for the import check, never zipped) resolve beside it; uv
        # still verifies the lock's own hashes then.
        command += [*extra] if extra else ["--no-deps", "--require-hashes"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise PackagingError(
                f"could not install {display_path(self.lock)} for {platform_tag} / "
                f"Python {python_version}:\n{result.stderr.strip()}\n"
                "This needs PyPI (or a warm uv cache). A package with no wheel for this "
                "platform cannot go into a Lambda zip: pick a version that has one."
            )
        for cache in partial.rglob("__pycache__"):
            shutil.rmtree(cache)
        try:
            partial.rename(directory)
        except OSError:  # another process finished first: its copy is identical
            shutil.rmtree(partial, ignore_errors=True)
