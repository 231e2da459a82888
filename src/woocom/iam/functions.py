"""Render the roles of terraform/stack (staging) with real ARNs, for the checks.

The function roles' policies are `jsonencode` of resource ARNs the stack creates, so
they only exist after an apply. `terraform test` with the mock provider applies the
stack without AWS, with every optional role switched on (the Slack channel's role of
modules/alarms exists only with `alarm_slack_channel`); `-json -verbose` prints the
resulting state. Mocked ARNs are random strings: each is replaced by the ARN AWS would
give that resource, computed from its name (`woocom-staging-main` ->
arn:aws:dynamodb:us-east-1:222222222222:table/...).
Output, under `.woocom/iam/staging/`:
- `function-<name>.json`, one document per function: the one policy modules/function
  builds from the access table (declared permissions, secrets included, its logs and
  its DLQ);
- `role-alarms-chatbot.json`: the Slack channel's policy (modules/alarms);
- `role-canary.json`: the render-check canary's policy (modules/canary);
- `stack-roles.json` (not a policy): every role the stack creates => the permissions
  boundary it carries (null for none), for woocom.iam.cases.role_cases.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from woocom.iam.render import REGION, Documents, account
from woocom.paths import REPO_ROOT
from woocom.tf.runner import TF_STATE_DIR, terraform
from woocom.tf.validate import write_document, write_test_manifest

STACK_ROOT = REPO_ROOT / "terraform" / "stack"
ENVIRONMENT = "staging"
RENDER_TESTS = ".iam-render"
ROLES_FILE = "stack-roles.json"
# Role policies outside modules/function rendered as documents: role name suffix => document.
ROLE_DOCUMENTS = {"alarms-chatbot": "role-alarms-chatbot", "canary": "role-canary"}

_TEST = """\
# Written by woocom.iam.functions: apply the stack on the mock provider, once.
mock_provider "aws" {{}}

mock_provider "aws" {{
  alias = "us_east_1"

  mock_resource "aws_wafv2_web_acl" {{
    defaults = {{
      arn = "arn:aws:wafv2:us-east-1:{account}:global/webacl/{prefix}-site/0a1b2c3d"
    }}
  }}
}}

{overrides}
variables {{
  environment              = "{environment}"
  git_sha                  = "render"
  permissions_boundary_arn = "arn:aws:iam::{account}:policy/woocom-boundary-{environment}"
  alarm_slack_channel      = {{ workspace_id = "T0123ABCD", channel_id = "C0456EFGH" }}
}}

run "render" {{}}
"""

# Data sources whose values end up in role policies: (target, attribute, value). The
# canary's role names its log group from its module's account, region and partition.
_DATA = (
    ("data.aws_caller_identity.current", "account_id", "{account}"),
    ("module.alarms.data.aws_caller_identity.current", "account_id", "{account}"),
    ("module.canary[0].data.aws_caller_identity.current", "account_id", "{account}"),
    ("module.canary[0].data.aws_region.current", "region", REGION),
    ("module.canary[0].data.aws_partition.current", "partition", "aws"),
)


def _overrides(account_id: str) -> str:
    return "\n".join(
        f"override_data {{\n  target = {target}\n  values = {{\n"
        f'    {attribute} = "{value.format(account=account_id)}"\n  }}\n}}\n'
        for target, attribute, value in _DATA
    )


_FUNCTION = re.compile(r'module\.function\["([^"]+)"\]')


def _resources(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def _real_arn(resource: Mapping[str, Any], account_id: str) -> str | None:
    values = resource["values"]
    ra = f"{REGION}:{account_id}"
    kind = resource["type"]
    if kind == "aws_dynamodb_table":
        return f"arn:aws:dynamodb:{ra}:table/{values['name']}"
    if kind == "aws_s3_bucket":
        return f"arn:aws:s3:::{values['bucket']}"
    if kind == "aws_sqs_queue":
        return f"arn:aws:sqs:{ra}:{values['name']}"
    if kind == "aws_cloudwatch_log_group":
        return f"arn:aws:logs:{ra}:log-group:{values['name']}"
    if kind == "aws_secretsmanager_secret":
        return f"arn:aws:secretsmanager:{ra}:secret:{values['name']}-AbCdEf"
    if kind == "aws_sns_topic":
        return f"arn:aws:sns:{ra}:{values['name']}"
    return None


def function_policies(state: Mapping[str, Any], account_id: str) -> Documents:
    """document name => its role's policy, with every mocked ARN made real.

    `function-<name>` for each function's role, and the documents of ROLE_DOCUMENTS.
    """
    resources = list(_resources(state.get("root_module", {})))
    real = {}
    for resource in resources:
        arn = _real_arn(resource, account_id)
        if arn is not None and resource["values"].get("arn"):
            real[resource["values"]["arn"]] = arn
    # Longest first: a mocked ARN never replaces part of a longer one.
    pattern = re.compile("|".join(re.escape(mock) for mock in sorted(real, key=len, reverse=True)))
    # A role policy names its role by id or name; either gives the role's name.
    role_names = {}
    for resource in resources:
        if resource["type"] == "aws_iam_role":
            role = resource["values"]["name"]
            role_names[role] = role
            role_names[resource["values"].get("id") or role] = role
    prefix = f"woocom-{ENVIRONMENT}-"
    documents: Documents = {}
    for resource in resources:
        if resource["type"] != "aws_iam_role_policy":
            continue
        found = _FUNCTION.search(resource["address"])
        if found is not None:
            name = f"function-{found.group(1)}"
        else:
            role = role_names.get(resource["values"]["role"], "")
            if role.removeprefix(prefix) not in ROLE_DOCUMENTS:
                continue
            name = ROLE_DOCUMENTS[role.removeprefix(prefix)]
        text = pattern.sub(lambda m: real[m.group(0)], resource["values"]["policy"])
        document = documents.setdefault(name, {"Version": "2012-10-17", "Statement": []})
        document["Statement"].extend(json.loads(text)["Statement"])
    return documents


def role_boundaries(state: Mapping[str, Any]) -> dict[str, str | None]:
    """Every role the applied stack creates => its permissions boundary (None for none)."""
    return {
        resource["values"]["name"]: resource["values"].get("permissions_boundary") or None
        for resource in _resources(state.get("root_module", {}))
        if resource["type"] == "aws_iam_role"
    }


def stack_roles(into: Path) -> dict[str, str | None]:
    """The roles render_functions found (role name => boundary), from under `into`."""
    roles: dict[str, str | None] = json.loads(
        (into / ENVIRONMENT / ROLES_FILE).read_text(encoding="utf-8")
    )
    return roles


def render_functions(into: Path) -> Documents:
    """Apply the stack on the mock provider; write and return the role documents.

    Also writes stack-roles.json (read it back with `stack_roles`).
    """
    sample = account(ENVIRONMENT)
    # terraform/stack reads stack.yaml only through the stack document (woocom.stackdoc).
    write_document(REPO_ROOT)
    manifest = write_test_manifest(REPO_ROOT / "stack.yaml", TF_STATE_DIR / "test-manifest.json")
    env = {"TF_VAR_package_manifest": str(manifest)}
    terraform(
        "init", "-backend=false", "-input=false", "-no-color", cwd=STACK_ROOT, env=env, stream=False
    )
    # Terraform takes test files only from inside the root: written there for this run only.
    tests = STACK_ROOT / RENDER_TESTS
    tests.mkdir(exist_ok=True)
    try:
        (tests / "render.tftest.hcl").write_text(
            _TEST.format(
                account=sample.account_id,
                environment=ENVIRONMENT,
                prefix=f"woocom-{ENVIRONMENT}",
                overrides=_overrides(sample.account_id),
            ),
            encoding="utf-8",
        )
        result = terraform(
            "test",
            "-json",
            "-verbose",
            "-no-color",
            f"-test-directory={RENDER_TESTS}",
            cwd=STACK_ROOT,
            env=env,
            stream=False,
        )
    finally:
        shutil.rmtree(tests, ignore_errors=True)
    states = [
        json.loads(line)["test_state"]
        for line in result.stdout.splitlines()
        if line.startswith("{") and '"type":"test_state"' in line
    ]
    if len(states) != 1:
        raise RuntimeError(f"terraform test printed {len(states)} states, expected 1")
    documents = function_policies(states[0], sample.account_id)
    folder = into / ENVIRONMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ROLES_FILE).write_text(
        json.dumps(role_boundaries(states[0]), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    for name, document in documents.items():
        (folder / f"{name}.json").write_text(
            json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    return documents
