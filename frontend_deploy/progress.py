"""A dependency-free progress bar on stderr, safe to advance from worker threads.

On a terminal it redraws one line; in a CI log (not a TTY) it prints a line at
each quarter instead of thousands of carriage returns.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

_WIDTH = 30
_REDRAW_SECONDS = 0.1


def format_bytes(size: float) -> str:
    if size < 1024:
        return f"{size:.0f} B"
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1024:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} GB"


class Progress:
    def __init__(
        self, label: str, total_files: int, total_bytes: int, stream: TextIO | None = None
    ) -> None:
        self._label = label
        self._total_files = total_files
        self._total_bytes = total_bytes
        self._stream = stream or sys.stderr
        self._interactive = self._stream.isatty()
        self._files = 0
        self._bytes = 0
        self._last_draw = 0.0
        self._last_quarter = 0
        self._lock = threading.Lock()

    def advance(self, size: int) -> None:
        with self._lock:
            self._files += 1
            self._bytes += size
            done = self._files == self._total_files
            if self._interactive:
                now = time.monotonic()
                if done or now - self._last_draw >= _REDRAW_SECONDS:
                    self._last_draw = now
                    self._stream.write("\r" + self._line())
                    if done:
                        self._stream.write("\n")
                    self._stream.flush()
            else:
                quarter = 4 * self._files // max(self._total_files, 1)
                if quarter > self._last_quarter:
                    self._last_quarter = quarter
                    self._stream.write(self._line() + "\n")
                    self._stream.flush()

    def _line(self) -> str:
        share = self._files / max(self._total_files, 1)
        filled = round(share * _WIDTH)
        return (
            f"{self._label} [{'#' * filled}{'.' * (_WIDTH - filled)}] "
            f"{self._files}/{self._total_files} files, "
            f"{format_bytes(self._bytes)}/{format_bytes(self._total_bytes)}"
        )
