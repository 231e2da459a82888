"""The checks that stand between a command and a long-lived environment.

Each guard raises `RefusedError` with what happened and what to do next; nothing
has been changed when one fires.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from woocom.deploy.environments import Environment, placeholders
from woocom.deploy.plan import PlanSummary

# Set by the deploy workflow in the job bound to the protected GitHub environment,
# which only runs after that environment's required reviewers approve.
APPROVAL_VARIABLE = "WOOCOM_APPROVED_ENVIRONMENT"
MAIN_REFS = ("origin/main", "main")


class RefusedError(RuntimeError):
    """The command will not run; the message says why and what to do instead."""


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)


def head_commit(repo: Path) -> str:
    """The commit being deployed (tagged on every resource), or "unknown" outside git."""
    result = _git(repo, "rev-parse", "HEAD")
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def require_configured(env: Environment, envs_dir: Path) -> None:
    """The environment's committed files exist and hold no bootstrap placeholders."""
    for path in (env.backend_file(envs_dir), env.var_file(envs_dir)):
        if not path.is_file():
            raise RefusedError(
                f"{path} is missing: every {env.kind} target needs it. Restore it from git "
                "or create it as the README's 'First-time setup' describes."
            )
        left = placeholders(path)
        if left:
            raise RefusedError(
                f"{path} still holds {', '.join(left)}: the {env.account} account is not "
                "bootstrapped yet. Run terraform/bootstrap there (README: 'First-time setup') "
                "and copy its outputs into this file."
            )


def require_approval(env: Environment, approved: bool, environ: Mapping[str, str]) -> None:
    if approved or environ.get(APPROVAL_VARIABLE) == env.name:
        return
    raise RefusedError(
        f"{env.name} changes only with approval: re-run with --approve once you have read "
        f"the plan (`nox -s plan -- {env.name}`). In CI, the deploy job of the protected "
        f"GitHub environment '{env.name}' sets {APPROVAL_VARIABLE} after its reviewers approve."
    )


def require_clean_tree(repo: Path) -> None:
    status = _git(repo, "status", "--porcelain", "--untracked-files=normal")
    if status.returncode != 0:
        raise RefusedError(f"cannot read the git status of {repo}: {status.stderr.strip()}")
    dirty = status.stdout.splitlines()
    if dirty:
        listing = "\n".join(f"    {line}" for line in dirty[:10])
        more = f"\n    ... and {len(dirty) - 10} more" if len(dirty) > 10 else ""
        raise RefusedError(
            "the working tree has uncommitted changes, so what would be deployed is not a "
            f"commit:\n{listing}{more}\nCommit (and merge to main) or discard them, then retry."
        )


def require_on_main(repo: Path) -> str:
    """HEAD must be contained in main; returns the ref it was checked against."""
    head = _git(repo, "rev-parse", "--short", "HEAD").stdout.strip() or "HEAD"
    for ref in MAIN_REFS:
        if _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
            continue
        if _git(repo, "merge-base", "--is-ancestor", "HEAD", ref).returncode == 0:
            return ref
        raise RefusedError(
            f"commit {head} is not on {ref}: production only runs commits merged to main. "
            "Merge the change through a pull request, then deploy from main "
            f"(if {ref} is stale: git fetch origin main)."
        )
    raise RefusedError(
        f"no main branch to check commit {head} against: run `git fetch origin main` "
        "(in CI: actions/checkout with fetch-depth: 0), then retry."
    )


def require_allowed_data_loss(
    env: Environment, summary: PlanSummary, allowed: Iterable[str]
) -> None:
    """In a protected environment, every data-losing change must be named by --allow-destroy."""
    if not env.protected:
        return
    allowed = set(allowed)
    refused = [change for change in summary.data_loss if change.address not in allowed]
    if not refused:
        return
    flags = " ".join(f"--allow-destroy '{change.address}'" for change in refused)
    listing = "\n".join(f"    {change.action} {change.address}" for change in refused)
    raise RefusedError(
        f"the plan destroys data in {env.name}; nothing was applied:\n{listing}\n"
        "If that is really intended (and backed up), re-run with\n"
        f"    {flags}\n"
        "Otherwise change the configuration so these resources are kept and plan again."
    )
