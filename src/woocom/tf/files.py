"""One way to write the files Terraform reads: CLI config, stand-in launcher, schema cache."""

from __future__ import annotations

from pathlib import Path

from woocom.atomic import write_atomic


def write_if_changed(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Replace `path` with `data` unless it already holds exactly that; True if written.

    Through `woocom.atomic.write_atomic`, so a reader (Terraform, another validation
    thread or process) never sees half a file and two writers never share a temporary name.
    """
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data, mode=0o600 if mode is None else mode)
    return True
