"""Render each function role of terraform/stack (staging) with real ARNs, for the checks.

The function roles' policies are `jsonencode` of resource ARNs the stack creates, so
they only exist after an apply. `terraform test` with the mock provider applies the
stack without AWS; `-json -verbose` prints the resulting state. Mocked ARNs are random
strings: each is replaced by the ARN AWS would give that resource, computed from its
name (`woocom-staging-main` -> arn:aws:dynamodb:us-east-1:222222222222:table/...).
Output: `.woocom/iam/staging/function-<name>.json`, one document per function: the one
policy modules/function builds from the access table (declared permissions, secrets
included, its logs and its DLQ).
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

override_data {{
  target = data.aws_caller_identity.current
  values = {{
    account_id = "{account}"
  }}
}}

variables {{
  environment              = "{environment}"
  git_sha                  = "render"
  permissions_boundary_arn = "arn:aws:iam::{account}:policy/woocom-boundary-{environment}"
}}

run "render" {{}}
"""

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
    """function name => its role's policy document, with every mocked ARN made real."""
    resources = list(_resources(state.get("root_module", {})))
    real = {}
    for resource in resources:
        arn = _real_arn(resource, account_id)
        if arn is not None and resource["values"].get("arn"):
            real[resource["values"]["arn"]] = arn
    # Longest first: a mocked ARN never replaces part of a longer one.
    pattern = re.compile("|".join(re.escape(mock) for mock in sorted(real, key=len, reverse=True)))
    documents: Documents = {}
    for resource in resources:
        if resource["type"] != "aws_iam_role_policy":
            continue
        found = _FUNCTION.search(resource["address"])
        if found is None:
            continue
        function = found.group(1)
        text = pattern.sub(lambda m: real[m.group(0)], resource["values"]["policy"])
        document = documents.setdefault(
            f"function-{function}", {"Version": "2012-10-17", "Statement": []}
        )
        document["Statement"].extend(json.loads(text)["Statement"])
    return documents


def render_functions(into: Path) -> Documents:
    """Apply the stack on the mock provider; write and return the function documents."""
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
                account=sample.account_id, environment=ENVIRONMENT, prefix=f"woocom-{ENVIRONMENT}"
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
    for name, document in documents.items():
        (folder / f"{name}.json").write_text(
            json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    return documents
