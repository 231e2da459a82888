"""Collecting a function's files and writing them into a deterministic zip."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from woocom.packaging.base import (
    PackagingError,
)

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9
_EDITOR_FILES = re.compile(r"(~$|\.sw[po]$|^\.#|^#.*#$|\.orig$|\.rej$)")
_TEST_FILES = re.compile(r"^(test_.*\.py|.*_test\.py|conftest\.py)$")


@dataclass(frozen=True)
class SourceFile:
    """One file going into a zip: its name in the archive and where its bytes come from."""

    archive_name: str
    path: Path
    executable: bool

    def describe(self) -> str:
        """One line of the inputs digest: name, mode and content hash."""
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        return f"{self.archive_name} {self.mode:o} {digest}"

    @property
    def mode(self) -> int:
        return 0o755 if self.executable else 0o644


def is_excluded(relative: Path, *, strip_tests: bool) -> bool:
    """Bytecode, dotfiles (editor state, caches), editor backups and, for our code, tests."""
    for part in relative.parts:
        if part == "__pycache__" or part.startswith("."):
            return True
        if strip_tests and part in ("tests", "test"):
            return True
    name = relative.name
    if name.endswith((".pyc", ".pyo")) or _EDITOR_FILES.search(name):
        return True
    return strip_tests and bool(_TEST_FILES.match(name))


def collect_tree(root: Path, prefix: str, *, strip_tests: bool) -> list[SourceFile]:
    """Every file under `root` that belongs in a zip, named `<prefix>/<relative path>`."""
    files: list[SourceFile] = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or is_excluded(relative, strip_tests=strip_tests):
            continue
        name = "/".join(filter(None, (prefix, relative.as_posix())))
        files.append(SourceFile(name, path, executable=bool(path.stat().st_mode & 0o100)))
    return files


def write_zip(files: Iterable[SourceFile], destination: Path) -> None:
    """Write a deterministic zip: sorted names, fixed times and modes, no directory entries."""
    ordered = sorted(files, key=lambda f: f.archive_name)
    names = [f.archive_name for f in ordered]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PackagingError(
            f"{destination.name}: two sources provide {', '.join(duplicates[:5])}: a function "
            "folder or the shared package has the same name as a dependency; rename the folder"
        )
    with zipfile.ZipFile(destination, "w") as archive:
        for source in ordered:
            info = zipfile.ZipInfo(source.archive_name, date_time=ZIP_EPOCH)
            # Unix creator so that extraction (Lambda included) honours the modes below.
            info.create_system = 3
            info.external_attr = (0o100000 | source.mode) << 16
            archive.writestr(
                info,
                source.path.read_bytes(),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=COMPRESS_LEVEL,
            )
