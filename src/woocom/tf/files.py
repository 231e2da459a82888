"""One way to write the files Terraform reads: CLI config, stand-in launcher, schema cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_if_changed(path: Path, data: bytes, mode: int | None = None) -> bool:
    """Replace `path` with `data` unless it already holds exactly that; True if written.

    Through a temporary file of its own in the same folder, so a reader (Terraform,
    another validation thread or process) never sees half a file and two writers
    never share a temporary name.
    """
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return True
