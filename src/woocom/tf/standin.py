"""The plugin directory that `dev_overrides` points at for the stand-in hashicorp/aws.

Terraform wants an executable named `terraform-provider-aws` in that directory;
ours is a two-line shell launcher for `python -m woocom.tf.provider` with this
interpreter, so the stand-in needs no build step and no download.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from woocom.paths import REPO_ROOT, STATE_DIR

PLUGIN_DIR = STATE_DIR / "terraform" / "standin-provider"
EXECUTABLE = "terraform-provider-aws"


def plugin_dir() -> Path:
    """Create (if changed) the launcher and return its directory."""
    PLUGIN_DIR.mkdir(parents=True, exist_ok=True)
    launcher = PLUGIN_DIR / EXECUTABLE
    text = launcher_text(Path(sys.executable), REPO_ROOT / "src")
    if not launcher.is_file() or launcher.read_text(encoding="utf-8") != text:
        tmp = launcher.with_suffix(f".{os.getpid()}.tmp")  # concurrent validations may race
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        tmp.replace(launcher)
    return PLUGIN_DIR


def launcher_text(python: Path, source_root: Path) -> str:
    # PYTHONPATH keeps the launcher working from a plain checkout where woocom is not installed.
    return (
        "#!/bin/sh\n"
        f'PYTHONPATH="{source_root}${{PYTHONPATH:+:$PYTHONPATH}}" '
        f'exec "{python}" -m woocom.tf.provider "$@"\n'
    )
