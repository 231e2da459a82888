"""The shared helpers: one atomic writer, one way to show a path, one region and credentials."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from woocom.atomic import write_atomic
from woocom.outputs import write_outputs
from woocom.packaging import DependencyCache, PackagingError, uv_binary
from woocom.paths import REPO_ROOT, display_path

_WATCHING: list[Path] = []
_EXPOSED: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    """At every file event, note any file of the watched folder readable by others with data."""
    if not _WATCHING or event not in ("open", "os.chmod", "os.rename", "os.replace"):
        return
    for entry in os.scandir(_WATCHING[0]):
        mode = entry.stat().st_mode
        if entry.stat().st_size and mode & (stat.S_IRGRP | stat.S_IROTH):
            _EXPOSED.append(f"{entry.name} {oct(mode & 0o777)} at {event}")


sys.addaudithook(_audit)  # hooks cannot be removed: it only looks while _WATCHING is set


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[Path]:
    previous = os.umask(0o022)  # the usual umask: new files readable by everyone
    _EXPOSED.clear()
    _WATCHING.append(tmp_path)
    try:
        yield tmp_path
    finally:
        _WATCHING.clear()
        os.umask(previous)


def test_the_outputs_file_holds_tokens_only_while_private(watched: Path) -> None:
    path = watched / "local.json"
    write_outputs("local", {"admin_token": "secret"}, path)
    write_outputs("local", {"admin_token": "fresher"}, path)  # the refresh replaces it
    assert _EXPOSED == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in watched.iterdir()] == ["local.json"]  # no temporary left


def test_two_writers_never_share_a_temporary_name(tmp_path: Path, monkeypatch: Any) -> None:
    names: list[str] = []
    original = Path.replace

    def spy(self: Path, target: Any) -> Path:
        names.append(self.name)
        return original(self, target)

    monkeypatch.setattr(Path, "replace", spy)
    write_atomic(tmp_path / "a.json", "1")
    write_atomic(tmp_path / "a.json", "2")
    assert len(set(names)) == 2
    assert (tmp_path / "a.json").read_text() == "2"


def test_a_public_file_gets_its_mode(tmp_path: Path) -> None:
    path = write_atomic(tmp_path / "deep" / "manifest.json", b"{}", mode=0o644)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: Any
) -> None:
    path = tmp_path / "a.json"
    path.write_text("old")

    def refuse(self: Path, target: Any) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (REPO_ROOT / "stack.yaml", "stack.yaml"),
        (Path("/elsewhere/requirements/runtime.txt"), "/elsewhere/requirements/runtime.txt"),
    ],
)
def test_display_path_is_relative_inside_the_checkout_and_whole_outside(
    path: Path, shown: str
) -> None:
    assert display_path(path) == shown


def test_a_failed_install_from_another_checkout_shows_uvs_own_error(tmp_path: Path) -> None:
    """It raised ValueError (relative_to the checkout) and hid uv's message."""
    try:
        uv_binary()
    except PackagingError:
        pytest.skip("uv is not on PATH")
    lock = tmp_path / "other-checkout" / "requirements" / "runtime.txt"
    lock.parent.mkdir(parents=True)
    lock.write_text("this is not a requirement ===\n")
    cache = DependencyCache(tmp_path / "cache", lock, progress=lambda line: None)
    with pytest.raises(PackagingError) as failed:
        cache.install("manylinux2014_x86_64", "3.11")
    message = str(failed.value)
    assert str(lock) in message
    assert "not a requirement" in message  # uv's own words about the line it could not parse
