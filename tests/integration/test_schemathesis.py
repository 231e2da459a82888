"""schemathesis drives the running stack from its own OpenAPI document: zero failures.

Every operation gets examples, boundary cases (coverage phase, undeclared methods
included), fuzzed data positive and negative, and stateful sequences following
the document's links; every response goes through all of schemathesis's checks:
status and headers documented, body valid against the schema, schema-valid input
accepted, invalid input refused with a 4xx, never a 5xx. Seeded and bounded.

This is the `st` command a developer runs by hand against `nox -s dev`:

    st run http://127.0.0.1:8000/openapi.json --checks all \\
        -H "Authorization: Bearer $(jq -r .admin_token .woocom/outputs/local.json)"
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .support import Target

# Destructive: it creates, replaces, deletes and cancels whatever the generated data
# names (so never on a shared deployed stack). Last: its stateful phase cancels the
# PENDING orders GET /orders lists, the expiry test's order included; sorted after
# test_orders.py's run_last test by file name.
pytestmark = [pytest.mark.destructive, pytest.mark.run_last]

SEED = 20251202
MAX_EXAMPLES = 10
ROOT = Path(__file__).resolve().parents[2]

CONFIG = f"""
seed = {SEED}
[generation]
max-examples = {MAX_EXAMPLES}
"""


def test_the_api_answers_as_its_openapi_document_says(target: Target, tmp_path: Path) -> None:
    if not target.admin_token:
        pytest.skip(f"no admin token for target {target.name!r}")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    api_url = target.outputs["api_url"].rstrip("/")
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        f"{api_url}/openapi.json",
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {target.admin_token}",
        "--request-timeout",
        "30",
        "--no-color",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    environment = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.integration.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    # Run in tmp_path: st keeps a cache of past crashes in ./.schemathesis, which would
    # make one run depend on the previous one.
    run = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
