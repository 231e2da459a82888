"""Finding a Python of the target version to import handlers (and compile bytecode) with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from woocom.packaging.target import Target, host_machine

IMPORT_PROBE = """
import importlib, json, sys
paths, module_name, attribute = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
sys.path[:0] = paths
module = importlib.import_module(module_name)
if not callable(getattr(module, attribute, None)):
    raise SystemExit(f"{module_name} defines no callable {attribute!r}")
print(module.__file__)
"""


@dataclass(frozen=True)
class CheckInterpreter:
    """The Python that imports handlers, and how faithful that is to Lambda."""

    executable: Path
    version: str

    def faithful_to(self, target: Target) -> bool:
        return self.version == target.python_version and host_machine() == target.machine


def find_python(version: str) -> Path | None:
    """An interpreter of `version`: WOOCOM_PYTHON_<X_Y>, PATH, pyenv or uv-managed installs."""
    override = os.environ.get(f"WOOCOM_PYTHON_{version.replace('.', '_')}")
    home = Path.home()
    pyenv = Path(os.environ.get("PYENV_ROOT", home / ".pyenv")) / "versions"
    uv_dir = home / ".local" / "share" / "uv" / "python"
    candidates = [
        *([Path(override)] if override else []),
        *(Path(p) for p in [shutil.which(f"python{version}")] if p),
        *sorted(pyenv.glob(f"{version}.*/bin/python{version}"), reverse=True),
        *sorted(uv_dir.glob(f"cpython-{version}.*/bin/python{version}"), reverse=True),
    ]
    for candidate in candidates:
        try:
            probe = subprocess.run(
                [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except OSError:
            continue
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def check_interpreter(target: Target) -> CheckInterpreter:
    found = find_python(target.python_version)
    if found is not None:
        return CheckInterpreter(found, target.python_version)
    local = f"{sys.version_info.major}.{sys.version_info.minor}"
    return CheckInterpreter(Path(sys.executable), local)
