"""Bytecode for the target Python, shipped in the zip beside the sources.

Lambda's `/var/task` is read-only, so without `.pyc` files in the zip every cold
start byte-compiles every module it imports, ours and our dependencies', and
throws the result away. Here an interpreter of exactly the target version
compiles each `.py` into `__pycache__/<name>.cpython-<XY>.pyc` as an
*unchecked-hash* pyc: Python loads it without comparing the source's mtime
(the zip's timestamps are all 1980-01-01), and its bytes depend only on the
source and the compiler, so zips stay byte-reproducible. Sources stay in the
zip for tracebacks.

`PYTHONHASHSEED=0` makes set and frozenset constants marshal in one order; a
file the target Python cannot compile (a dependency's Python 2 leftovers,
say) is left without a pyc, exactly as it would behave without this step.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Literal

from woocom.packaging.base import PackagingError
from woocom.packaging.zips import SourceFile

Bytecode = Literal["auto", "always", "never"]

_COMPILER = """
import json, py_compile, sys
failed = []
for source, display_name, target in json.load(sys.stdin):
    try:
        py_compile.compile(
            source, cfile=target, dfile=display_name, doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    except py_compile.PyCompileError:
        failed.append(display_name)
json.dump(failed, sys.stdout)
"""


def cache_tag(python_version: str) -> str:
    """`cpython-313` for "3.13": the tag in `__pycache__` file names."""
    return "cpython-" + python_version.replace(".", "")


def pyc_name(archive_name: str, python_version: str) -> str:
    """Where Python looks for the compiled form of `archive_name` (PEP 3147)."""
    folder, _, file_name = archive_name.rpartition("/")
    compiled = f"{file_name.removesuffix('.py')}.{cache_tag(python_version)}.pyc"
    return "/".join(filter(None, (folder, "__pycache__", compiled)))


def compile_sources(
    sources: list[SourceFile], interpreter: Path, python_version: str, workdir: Path
) -> list[SourceFile]:
    """Compile every `.py` of `sources` with `interpreter`; the pycs as zip entries."""
    jobs: list[tuple[str, str, str]] = []
    compiled: dict[str, SourceFile] = {}
    for source in sources:
        if not source.archive_name.endswith(".py"):
            continue
        name = pyc_name(source.archive_name, python_version)
        target = workdir / name
        jobs.append((str(source.path), source.archive_name, str(target)))
        compiled[source.archive_name] = SourceFile(name, target, executable=False)
    result = subprocess.run(
        [str(interpreter), "-E", "-S", "-c", _COMPILER],
        input=json.dumps(jobs),
        env={"PYTHONHASHSEED": "0", "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise PackagingError(
            f"compiling bytecode with {interpreter} failed:\n{result.stderr.strip()}\n"
            "Pass --bytecode never to build without it."
        )
    for failed in json.loads(result.stdout):
        compiled.pop(failed)
    return sorted(compiled.values(), key=lambda f: f.archive_name)
