"""The progress bar: one redrawn line on a terminal, a line per quarter in a CI log."""

from __future__ import annotations

import io

import pytest

from frontend_deploy.progress import Progress, format_bytes


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_one_redrawn_line() -> None:
    terminal = Terminal()
    progress = Progress("uploading", total_files=3, total_bytes=3072, stream=terminal)

    for _ in range(3):
        progress.advance(1024)

    text = terminal.getvalue()
    assert text.startswith("\ruploading [")
    assert text.endswith("3/3 files, 3.0 KB/3.0 KB\n")
    assert text.count("\n") == 1


def test_log_gets_a_line_per_quarter() -> None:
    log = io.StringIO()
    progress = Progress("uploading", total_files=100, total_bytes=100, stream=log)

    for _ in range(100):
        progress.advance(1)

    lines = log.getvalue().splitlines()
    assert [line.split("] ")[1].split(" files")[0] for line in lines] == [
        "25/100",
        "50/100",
        "75/100",
        "100/100",
    ]


@pytest.mark.parametrize(
    ("size", "text"),
    [(512, "512 B"), (2048, "2.0 KB"), (5 * 1024**2, "5.0 MB"), (3 * 1024**3, "3.0 GB")],
)
def test_sizes_read_naturally(size: int, text: str) -> None:
    assert format_bytes(size) == text
