"""Which local stack owns the outputs files, so that a second `nox -s dev` cannot clobber them.

The outputs file records the pid of the process that wrote it (and the env file a
`# pid N` line). A new stack refuses to start while that process is alive and its API
still answers; a file left by a stack that died (SIGKILL, power cut) is taken over. A
stack deletes these files on exit only if it is still the one that wrote them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("woocom.local")

ENV_FILE_OWNER = "# written by woocom dev, pid "


class OutputsBusyError(ValueError):
    """Another live local stack writes these outputs."""


def written_by(path: Path) -> int | None:
    """The pid recorded in an outputs (JSON) or env file; None if absent or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if text.lstrip().startswith("{"):
        try:
            pid = json.loads(text).get("pid")
        except (ValueError, AttributeError):
            return None
        return pid if isinstance(pid, int) else None
    for line in text.splitlines():
        if line.startswith(ENV_FILE_OWNER):
            number = line.removeprefix(ENV_FILE_OWNER).strip()
            return int(number) if number.isdigit() else None
    return None


def claim_outputs(path: Path) -> None:
    """Refuse if a live stack owns `path`; otherwise leave it to be overwritten by this one."""
    pid = written_by(path)
    if pid is None or pid == os.getpid():
        return
    api_url = _read_api_url(path)
    if _alive(pid) and api_url is not None and _answers(api_url):
        raise OutputsBusyError(
            f"another local stack (pid {pid}, API on {api_url}, port "
            f"{urlsplit(api_url).port}) owns {path}: stop it first, or give this one its own "
            "outputs file with --outputs PATH (and another --port)"
        )
    log.info("taking over %s from a local stack that is gone (pid %d)", path, pid)


def remove_own_files(*paths: Path) -> None:
    """Delete each file that this process wrote; leave one written by another process.

    Safe in a signal handler: no lock, no logging.
    """
    pid = os.getpid()
    for path in paths:
        if written_by(path) == pid:
            with contextlib.suppress(OSError):
                path.unlink()


def _read_api_url(path: Path) -> str | None:
    try:
        url = json.loads(path.read_text(encoding="utf-8")).get("api_url")
    except (OSError, ValueError, AttributeError):
        return None
    return url if isinstance(url, str) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _answers(api_url: str) -> bool:
    """A pid can be reused by an unrelated process: the owner's API must also accept."""
    parts = urlsplit(api_url)
    if parts.hostname is None or parts.port is None:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False
