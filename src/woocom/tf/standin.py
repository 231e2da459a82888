"""The plugin directory that `dev_overrides` points at for the stand-in hashicorp/aws.

Terraform wants an executable named `terraform-provider-aws` in that directory;
ours is a two-line shell launcher for `python -m woocom.tf.provider` with this
interpreter, so the stand-in needs no build step and no download.
"""

from __future__ import annotations

import sys
from pathlib import Path

from woocom.paths import REPO_ROOT, STATE_DIR
from woocom.tf.files import write_if_changed

PLUGIN_DIR = STATE_DIR / "terraform" / "standin-provider"
EXECUTABLE = "terraform-provider-aws"


def plugin_dir() -> Path:
    """Create (if changed) the launcher and return its directory."""
    text = launcher_text(Path(sys.executable), REPO_ROOT / "src")
    write_if_changed(PLUGIN_DIR / EXECUTABLE, text.encode(), mode=0o755)
    return PLUGIN_DIR


def launcher_text(python: Path, source_root: Path) -> str:
    # PYTHONPATH keeps the launcher working from a plain checkout where woocom is not installed.
    return (
        "#!/bin/sh\n"
        f'PYTHONPATH="{source_root}${{PYTHONPATH:+:$PYTHONPATH}}" '
        f'exec "{python}" -m woocom.tf.provider "$@"\n'
    )
