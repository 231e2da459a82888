"""Deploy targets: which account, which state, which workspace, which variables.

| target        | account    | workspace     | variables                    |
|---------------|------------|---------------|------------------------------|
| staging       | staging    | staging       | terraform/envs/staging.tfvars    |
| production    | production | production    | terraform/envs/production.tfvars |
| pr-<number>   | staging    | pr-<number>   | terraform/envs/preview.tfvars    |
| dev-<name>    | test       | dev-<name>    | terraform/envs/developer.tfvars  |

Each account has one state bucket (terraform/envs/<account>.backend.hcl);
previews are workspaces in the staging account's state, developer stacks in the
test account's (terraform/bootstrap/README.md: three accounts), and
every resource name starts with "<stack>-<workspace>", so they never collide.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

# Resource names are "<stack>-<workspace>-<resource>-<suffix>"; Lambda, IAM role and
# S3 bucket names stop at 63/64 characters, so workspace names stay short.
MAX_DEVELOPER_NAME = 12
MAX_PR_DIGITS = 6
_PREVIEW = re.compile(rf"^pr-[1-9][0-9]{{0,{MAX_PR_DIGITS - 1}}}$")
_DEVELOPER = re.compile(rf"^dev-[a-z][a-z0-9]{{0,{MAX_DEVELOPER_NAME - 1}}}$")
PLACEHOLDER = re.compile(r"<[a-z0-9-]+>")


class Kind(StrEnum):
    STAGING = "staging"
    PRODUCTION = "production"
    PREVIEW = "preview"
    DEVELOPER = "developer"


class UnknownEnvironmentError(ValueError):
    """The name is not a deploy target; the message lists the accepted forms."""


@dataclass(frozen=True)
class Environment:
    name: str
    kind: Kind

    @property
    def account(self) -> str:
        """The AWS account (and state bucket) the target lives in."""
        if self.kind is Kind.DEVELOPER:
            return "test"
        return "production" if self.kind is Kind.PRODUCTION else "staging"

    @property
    def workspace(self) -> str:
        return self.name

    @property
    def long_lived(self) -> bool:
        """staging and production: never destroyed by the tooling."""
        return self.kind in (Kind.STAGING, Kind.PRODUCTION)

    @property
    def protected(self) -> bool:
        """Needs approval, a clean tree and a commit on main."""
        return self.kind is Kind.PRODUCTION

    def backend_file(self, envs_dir: Path) -> Path:
        return envs_dir / f"{self.account}.backend.hcl"

    def var_file(self, envs_dir: Path) -> Path:
        return envs_dir / f"{self.kind}.tfvars"


def resolve(name: str) -> Environment:
    """Parse a target name, or explain what the accepted names look like."""
    if name in (Kind.STAGING, Kind.PRODUCTION):
        return Environment(name, Kind(name))
    if _PREVIEW.match(name):
        return Environment(name, Kind.PREVIEW)
    if _DEVELOPER.match(name):
        return Environment(name, Kind.DEVELOPER)
    raise UnknownEnvironmentError(f"{name!r} is not a deploy target: {_hint(name)}")


def _hint(name: str) -> str:
    accepted = (
        "use staging, production, pr-<number> (a pull request preview) or "
        f"dev-<name> (your own stack; lowercase letters and digits, at most "
        f"{MAX_DEVELOPER_NAME} characters)"
    )
    lowered = name.lower().replace("_", "-")
    if lowered in ("local", "localstack"):
        return f"{name} is not deployed from here: run it with `nox -s dev`"
    if lowered.startswith("dev-") and lowered != name:
        return f"did you mean {lowered!r}? {accepted}"
    if lowered.startswith("dev-"):
        return f"developer names are 1-{MAX_DEVELOPER_NAME} lowercase letters and digits"
    if lowered.startswith("pr-"):
        return f"preview names are pr- and the pull request number, e.g. pr-123; {accepted}"
    close = difflib.get_close_matches(lowered, ["staging", "production"], n=1, cutoff=0.5)
    if close:
        return f"did you mean {close[0]!r}? {accepted}"
    return accepted


def placeholders(path: Path) -> list[str]:
    """Placeholders such as <staging-account-id> left in the values of an environment file."""
    values = (line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    return sorted({found for line in values for found in PLACEHOLDER.findall(line)})
