"""Render every IAM document of the bootstrap, for three sample accounts, to JSON files.

How: the documents are built in `terraform/bootstrap/policies`, a module with no
provider and no resource (only `jsonencode` of its inputs), which the bootstrap
root applies. Rendering instantiates that module once per sample account in a
generated root under `.woocom/iam/.render/`, runs `terraform apply` (nothing to
create: no provider, no credentials, no network) and reads `terraform output
-json`. So the JSON checked is byte for byte what the bootstrap attaches, with
real ARNs for the sample account ids, and nothing depends on a mock provider
(whose `aws_iam_policy_document.json` would be a random string).

Output: `.woocom/iam/<account>/<document>.json`, e.g. staging/deploy-preview.json.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from woocom.paths import REPO_ROOT, STATE_DIR
from woocom.tf.runner import terraform

IAM_DIR = STATE_DIR / "iam"
POLICIES_MODULE = REPO_ROOT / "terraform" / "bootstrap" / "policies"
STACK_NAME = "woocom"
REGION = "us-east-1"
REPOSITORY = "woocom/platform"


@dataclass(frozen=True)
class SampleAccount:
    """One account as the bootstrap README sets it up, with a made-up id."""

    name: str
    account_id: str
    deploy_environments: Mapping[str, str]
    developers: tuple[str, ...] = ()

    @property
    def state_key_arn(self) -> str:
        return f"arn:aws:kms:{REGION}:{self.account_id}:key/0000aaaa-1111-2222-3333-444455556666"

    def module_block(self, source: str) -> str:
        variables: dict[str, Any] = {
            "account_name": self.name,
            "account_id": self.account_id,
            "region": REGION,
            "stack_name": STACK_NAME,
            "github_repository": REPOSITORY,
            "github_oidc_provider_arn": (
                f"arn:aws:iam::{self.account_id}:oidc-provider/token.actions.githubusercontent.com"
            ),
            "deploy_environments": dict(self.deploy_environments),
            "developers": {
                name: f"arn:aws:iam::{self.account_id}:user/{name}" for name in self.developers
            },
            "break_glass_approvers": [f"arn:aws:iam::{self.account_id}:user/approver"],
            "state_bucket": f"{STACK_NAME}-tfstate-{self.account_id}",
            "state_key": f"{STACK_NAME}/stack.tfstate",
            "state_kms_key_arn": self.state_key_arn,
            "alert_topic_arn": (
                f"arn:aws:sns:{REGION}:{self.account_id}:{STACK_NAME}-break-glass-alerts"
            ),
        }
        # JSON is valid HCL for these values (strings, maps, lists).
        arguments = "\n".join(f"  {key} = {json.dumps(value)}" for key, value in variables.items())
        return f'module "{self.name}" {{\n  source = "{source}"\n{arguments}\n}}\n'


SAMPLE_ACCOUNTS = (
    SampleAccount("production", "111111111111", {"production": "production"}),
    SampleAccount("staging", "222222222222", {"staging": "staging", "preview": "pr-*"}),
    SampleAccount("test", "333333333333", {}, developers=("alice", "bob")),
)


def account(name: str) -> SampleAccount:
    return next(sample for sample in SAMPLE_ACCOUNTS if sample.name == name)


Documents = dict[str, dict[str, Any]]


def documents_of(outputs: Mapping[str, Any]) -> Documents:
    """File name => parsed document, from one module instance's outputs."""
    found: Documents = {}
    for scope, text in outputs["stack_policies"].items():
        kind = "developer" if scope.startswith("dev-") else "deploy"
        found[f"{kind}-{scope}"] = json.loads(text)
    for scope, text in outputs["boundaries"].items():
        found[f"boundary-{scope}"] = json.loads(text)
    for environment, text in outputs["deploy_trusts"].items():
        found[f"deploy-{environment}-trust"] = json.loads(text)
    for scope, text in outputs["developer_trusts"].items():
        found[f"developer-{scope}-trust"] = json.loads(text)
    for name, text in outputs["break_glass"].items():
        found[f"break-glass-{name}".replace("_", "-").replace("-policy", "")] = json.loads(text)
    for name, text in outputs["resource_policies"].items():
        found[name.replace("_", "-") + "-policy"] = json.loads(text)
    return found


def render(
    into: Path = IAM_DIR, work: Path | None = None, *, functions: bool = True
) -> dict[str, Documents]:
    """Render every sample account's documents under `into`/<account>/; returns them.

    With `functions`, staging also gets each function role of terraform/stack
    (woocom.iam.functions: `function-<name>`).
    """
    work = work or into / ".render"
    work.mkdir(parents=True, exist_ok=True)
    source = os.path.relpath(POLICIES_MODULE, work)
    root = "".join(sample.module_block(source) for sample in SAMPLE_ACCOUNTS)
    root += "".join(
        f'output "{sample.name}" {{\n  value = module.{sample.name}\n}}\n'
        for sample in SAMPLE_ACCOUNTS
    )
    (work / "main.tf").write_text(root, encoding="utf-8")
    terraform("init", "-input=false", "-no-color", cwd=work, stream=False)
    terraform("apply", "-auto-approve", "-input=false", "-no-color", cwd=work, stream=False)
    outputs = json.loads(terraform("output", "-json", cwd=work, stream=False).stdout)
    rendered: dict[str, Documents] = {}
    for sample in SAMPLE_ACCOUNTS:
        documents = documents_of(outputs[sample.name]["value"])
        folder = into / sample.name
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for name, document in documents.items():
            (folder / f"{name}.json").write_text(
                json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
        rendered[sample.name] = documents
    if functions:
        from woocom.iam.functions import render_functions

        rendered["staging"].update(render_functions(into))
    return rendered
