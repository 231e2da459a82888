"""One way to replace a file atomically: readers see the old file or the new one, never half.

The data goes to a temporary file of its own (a unique name in the same folder, so two
writers never share one and the final rename stays on one file system), created with
its final mode: a file meant to be 0600 (tokens) is never readable by others, not even
for the moment between writing and renaming.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> Path:
    """Replace `path` with `data` (str is written as UTF-8) with permissions `mode`."""
    payload = data.encode() if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600 whatever the umask; fchmod sets the final mode before
    # a byte is written, so a mode wider than 0600 is only granted to an empty file.
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(payload)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
