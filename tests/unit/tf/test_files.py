"""write_if_changed: the one writer of the files Terraform reads."""

from __future__ import annotations

from pathlib import Path

from woocom.tf.files import write_if_changed


def test_writes_only_when_the_content_differs(tmp_path: Path) -> None:
    path = tmp_path / "new" / "cli.tfrc"
    assert write_if_changed(path, b"one\n")
    assert not write_if_changed(path, b"one\n")
    assert write_if_changed(path, b"two\n", mode=0o750)
    assert path.read_bytes() == b"two\n"
    assert path.stat().st_mode & 0o777 == 0o750
    assert [p.name for p in path.parent.iterdir()] == ["cli.tfrc"], "no temporary file left"
