"""What each identity must be allowed and denied, as requests for woocom.iam.evaluate.

Positive: every resource `terraform/stack` creates in a workspace, named the way the
stack names it (`<stack>-<workspace>-<name>`, see terraform/modules/*), with the
actions Terraform calls to create, update and delete it (RESOURCE_ACTIONS). Resources
with generated ids (REST API, user pool, distribution, key) get a sample id and the
`workspace` tag the stack's provider puts on everything.

Negative: what the review found reachable (issue 12), and the rest of the isolation
model: roles without the boundary, boundary removal, other workspaces' resources and
state, the state key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from woocom.config import Stack, load_stack
from woocom.iam.evaluate import ContextValue, Decision, Request, evaluate
from woocom.iam.render import REGION, REPOSITORY, STACK_NAME, Documents, SampleAccount, account
from woocom.paths import REPO_ROOT

ENVS_DIR = REPO_ROOT / "terraform" / "envs"
DEPLOY = "deploy"
DEVELOPER = "developer"


@dataclass(frozen=True)
class Workspace:
    """One workspace and the identity that manages it."""

    name: str
    account_name: str
    scope: str  # the deploy environment (staging, preview) or dev-<name>
    kind: str  # terraform/envs/<kind>.tfvars

    @property
    def account(self) -> SampleAccount:
        return account(self.account_name)

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def prefix(self) -> str:
        return f"{STACK_NAME}-{self.name}"

    @property
    def identity_document(self) -> str:
        return (
            f"developer-{self.scope}" if self.scope.startswith("dev-") else f"deploy-{self.scope}"
        )

    @property
    def principal(self) -> str:
        role = (
            f"{STACK_NAME}-developer-{self.scope.removeprefix('dev-')}"
            if self.scope.startswith("dev-")
            else f"{STACK_NAME}-deploy-{self.scope}"
        )
        return f"arn:aws:iam::{self.account_id}:role/{role}"

    def boundary_arn(self) -> str:
        """The permissions_boundary_arn terraform/envs/<kind>.tfvars gives the stack."""
        text = (ENVS_DIR / f"{self.kind}.tfvars").read_text(encoding="utf-8")
        found = re.search(r'^permissions_boundary_arn\s*=\s*"([^"]+)"', text, re.MULTILINE)
        if found is None:
            raise AssertionError(
                f"terraform/envs/{self.kind}.tfvars sets no permissions_boundary_arn"
            )
        return re.sub(r"<[a-z-]+-account-id>", self.account_id, found.group(1))


WORKSPACES = {
    "production": Workspace("production", "production", "production", "production"),
    "staging": Workspace("staging", "staging", "staging", "staging"),
    "preview": Workspace("pr-7", "staging", "preview", "preview"),
    "developer": Workspace("dev-alice", "test", "dev-alice", "developer"),
}


@dataclass(frozen=True)
class Case:
    """One request and the decision the documents must give."""

    label: str
    request: Request
    allowed: bool
    documents: tuple[str, ...] = ()  # identity policies; default: the workspace's
    resource_documents: tuple[str, ...] = ()
    boundary_document: str | None = None
    account_name: str = ""

    def decide(self, rendered: Mapping[str, Documents]) -> Decision:
        docs = rendered[self.account_name]
        return evaluate(
            self.request,
            [docs[name] for name in self.documents],
            boundary=docs[self.boundary_document] if self.boundary_document else None,
            resource=[docs[name] for name in self.resource_documents],
        )

    def holds(self, rendered: Mapping[str, Documents]) -> bool:
        return (self.decide(rendered) is Decision.ALLOW) == self.allowed


@dataclass
class _Builder:
    workspace: Workspace
    allowed: bool
    cases: list[Case] = field(default_factory=list)

    def add(
        self,
        label: str,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue] | None = None,
        **options: Any,
    ) -> None:
        ws = self.workspace
        request = Request(action, resource, options.pop("principal", ws.principal), context or {})
        self.cases.append(
            Case(
                f"{ws.name}: {label}: {action} {resource}",
                request,
                options.pop("allowed", self.allowed),
                documents=options.pop("documents", (ws.identity_document,)),
                account_name=options.pop("account_name", ws.account_name),
                **options,
            )
        )


# --- positive: what Terraform calls for each resource type the stack creates -------------

# resource type => actions on it (create, read, update, delete, tag).
RESOURCE_ACTIONS: dict[str, tuple[str, ...]] = {
    "aws_dynamodb_table": (
        "dynamodb:CreateTable",
        "dynamodb:DescribeTable",
        "dynamodb:UpdateTable",
        "dynamodb:DeleteTable",
        "dynamodb:TagResource",
        "dynamodb:ListTagsOfResource",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:UpdateTimeToLive",
        "dynamodb:DescribeTimeToLive",
    ),
    "aws_s3_bucket": (
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:PutBucketTagging",
        "s3:GetBucketTagging",
        "s3:PutBucketVersioning",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketOwnershipControls",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketPolicy",
        "s3:GetBucketPolicy",
        "s3:PutBucketNotification",
        "s3:ListBucket",
    ),
    "aws_sqs_queue": (
        "sqs:CreateQueue",
        "sqs:GetQueueAttributes",
        "sqs:SetQueueAttributes",
        "sqs:DeleteQueue",
        "sqs:TagQueue",
        "sqs:ListQueueTags",
    ),
    "aws_lambda_function": (
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration",
        "lambda:DeleteFunction",
        "lambda:TagResource",
        "lambda:AddPermission",
        "lambda:RemovePermission",
        "lambda:GetPolicy",
        "lambda:PutFunctionEventInvokeConfig",
        "lambda:PutFunctionConcurrency",
    ),
    "aws_cloudwatch_log_group": (
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteLogGroup",
        "logs:TagResource",
        "logs:ListTagsForResource",
    ),
    "aws_cloudwatch_event_rule": (
        "events:PutRule",
        "events:DescribeRule",
        "events:DeleteRule",
        "events:PutTargets",
        "events:RemoveTargets",
        "events:TagResource",
    ),
    "aws_sns_topic": (
        "sns:CreateTopic",
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:TagResource",
    ),
    "aws_cloudwatch_metric_alarm": (
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:DeleteAlarms",
        "cloudwatch:TagResource",
    ),
    "aws_iam_role": ("iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:ListRolePolicies"),
    "aws_iam_role+boundary": (
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
    ),
    "aws_cognito_user_pool": (
        "cognito-idp:DescribeUserPool",
        "cognito-idp:UpdateUserPool",
        "cognito-idp:DeleteUserPool",
        "cognito-idp:CreateUserPoolClient",
        "cognito-idp:CreateGroup",
        "cognito-idp:SetUserPoolMfaConfig",
    ),
    "aws_api_gateway_rest_api": (
        "apigateway:GET",
        "apigateway:PUT",
        "apigateway:PATCH",
        "apigateway:DELETE",
        "apigateway:POST",
    ),
    "aws_api_gateway_stage": ("apigateway:PATCH", "apigateway:SetWebACL"),
    "aws_cloudfront_distribution": (
        "cloudfront:GetDistribution",
        "cloudfront:UpdateDistribution",
        "cloudfront:DeleteDistribution",
        "cloudfront:CreateInvalidation",
        "cloudfront:ListTagsForResource",
    ),
    "aws_cloudfront_function": (
        "cloudfront:CreateFunction",
        "cloudfront:DescribeFunction",
        "cloudfront:UpdateFunction",
        "cloudfront:PublishFunction",
        "cloudfront:DeleteFunction",
    ),
    "aws_kms_key": (
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:PutKeyPolicy",
        "kms:EnableKeyRotation",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
        "kms:ScheduleKeyDeletion",
    ),
    "aws_wafv2_web_acl": (
        "wafv2:CreateWebACL",
        "wafv2:GetWebACL",
        "wafv2:UpdateWebACL",
        "wafv2:DeleteWebACL",
        "wafv2:TagResource",
        "wafv2:AssociateWebACL",
    ),
    "aws_secretsmanager_secret": (
        "secretsmanager:CreateSecret",
        "secretsmanager:DescribeSecret",
        "secretsmanager:DeleteSecret",
        "secretsmanager:TagResource",
        "secretsmanager:GetResourcePolicy",
        "secretsmanager:PutSecretValue",
    ),
    "aws_s3_object": ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"),
    "aws_lambda_event_source_mapping": (
        "lambda:CreateEventSourceMapping",
        "lambda:GetEventSourceMapping",
        "lambda:UpdateEventSourceMapping",
        "lambda:DeleteEventSourceMapping",
    ),
    "aws_cloudfront_origin_access_control": (
        "cloudfront:GetOriginAccessControl",
        "cloudfront:UpdateOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
    ),
    "aws_cloudfront_response_headers_policy": (
        "cloudfront:CreateResponseHeadersPolicy",
        "cloudfront:GetResponseHeadersPolicy",
        "cloudfront:UpdateResponseHeadersPolicy",
        "cloudfront:DeleteResponseHeadersPolicy",
    ),
    "aws_synthetics_canary": (
        "synthetics:CreateCanary",
        "synthetics:GetCanary",
        "synthetics:UpdateCanary",
        "synthetics:DeleteCanary",
        "synthetics:StartCanary",
        "synthetics:StopCanary",
        "synthetics:TagResource",
        "synthetics:ListTagsForResource",
    ),
    # What Synthetics creates for a canary, as the caller: its function cwsyn-<name>-<id>
    # and that function's layer.
    "aws_synthetics_canary+function": (
        "lambda:CreateFunction",
        "lambda:GetFunction",
        "lambda:UpdateFunctionConfiguration",
        "lambda:UpdateFunctionCode",
        "lambda:DeleteFunction",
        "lambda:AddPermission",
        "lambda:TagResource",
    ),
    "aws_synthetics_canary+layer": (
        "lambda:PublishLayerVersion",
        "lambda:GetLayerVersion",
        "lambda:DeleteLayerVersion",
    ),
    "aws_cloudwatch_dashboard": (
        "cloudwatch:PutDashboard",
        "cloudwatch:GetDashboard",
        "cloudwatch:DeleteDashboards",
    ),
    # Query definitions have no ARN: "*" only (reviewed-findings.yaml).
    "aws_cloudwatch_query_definition": (
        "logs:PutQueryDefinition",
        "logs:DescribeQueryDefinitions",
        "logs:DeleteQueryDefinition",
    ),
    "aws_chatbot_slack_channel_configuration": (
        "chatbot:CreateSlackChannelConfiguration",
        "chatbot:UpdateSlackChannelConfiguration",
        "chatbot:DeleteSlackChannelConfiguration",
        "chatbot:TagResource",
        "chatbot:ListTagsForResource",
    ),
}

# Resource types whose Terraform calls are actions of another entry (its parent's
# create/update calls): type => (entry, the actions of that entry it needs).
_API_CALLS = ("apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH")
COVERED_BY: dict[str, tuple[str, tuple[str, ...]]] = {
    **{
        f"aws_api_gateway_{part}": ("aws_api_gateway_rest_api", (*_API_CALLS, "apigateway:DELETE"))
        for part in (
            "authorizer",
            "deployment",
            "integration",
            "integration_response",
            "method",
            "method_response",
            "method_settings",
            "resource",
        )
    },
    "aws_cloudwatch_event_target": (
        "aws_cloudwatch_event_rule",
        ("events:PutTargets", "events:RemoveTargets"),
    ),
    "aws_cognito_user_group": ("aws_cognito_user_pool", ("cognito-idp:CreateGroup",)),
    "aws_cognito_user_pool_client": (
        "aws_cognito_user_pool",
        ("cognito-idp:CreateUserPoolClient",),
    ),
    "aws_iam_role_policy": (
        "aws_iam_role+boundary",
        ("iam:PutRolePolicy", "iam:DeleteRolePolicy"),
    ),
    "aws_iam_role_policy_attachment": ("aws_iam_role+boundary", ("iam:AttachRolePolicy",)),
    "aws_lambda_function_event_invoke_config": (
        "aws_lambda_function",
        ("lambda:PutFunctionEventInvokeConfig",),
    ),
    "aws_lambda_permission": (
        "aws_lambda_function",
        ("lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"),
    ),
    "aws_s3_bucket_lifecycle_configuration": ("aws_s3_bucket", ("s3:PutLifecycleConfiguration",)),
    "aws_s3_bucket_notification": ("aws_s3_bucket", ("s3:PutBucketNotification",)),
    "aws_s3_bucket_ownership_controls": ("aws_s3_bucket", ("s3:PutBucketOwnershipControls",)),
    "aws_s3_bucket_policy": ("aws_s3_bucket", ("s3:PutBucketPolicy", "s3:GetBucketPolicy")),
    "aws_s3_bucket_public_access_block": ("aws_s3_bucket", ("s3:PutBucketPublicAccessBlock",)),
    "aws_s3_bucket_server_side_encryption_configuration": (
        "aws_s3_bucket",
        ("s3:PutEncryptionConfiguration",),
    ),
    "aws_s3_bucket_versioning": ("aws_s3_bucket", ("s3:PutBucketVersioning",)),
    "aws_secretsmanager_secret_version": (
        "aws_secretsmanager_secret",
        ("secretsmanager:PutSecretValue",),
    ),
    "aws_sns_topic_subscription": ("aws_sns_topic", ("sns:Subscribe",)),
    "aws_sqs_queue_redrive_allow_policy": ("aws_sqs_queue", ("sqs:SetQueueAttributes",)),
    "aws_wafv2_web_acl_association": ("aws_wafv2_web_acl", ("wafv2:AssociateWebACL",)),
}

# What tests/integration/support.py calls to mint tokens on a deployed non-production pool.
TEST_USER_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminDeleteUser",
)

SAMPLE_IDS = {
    "rest_api": "a1b2c3d4e5",
    "user_pool": "us-east-1_AbCdEfGhI",
    "distribution": "E2QWRUHEXAMPLE",
    "key": "1234abcd-12ab-34cd-56ef-1234567890ab",
}


def _stack() -> Stack:
    return load_stack(REPO_ROOT / "stack.yaml")


def positive_cases(ws: Workspace, stack: Stack | None = None) -> list[Case]:
    stack = stack or _stack()
    build = _Builder(ws, allowed=True)
    ra = f"{REGION}:{ws.account_id}"
    p, acct = ws.prefix, ws.account_id
    tagged = {"aws:ResourceTag/workspace": ws.name}
    creating = {"aws:RequestTag/workspace": ws.name}

    def each(kind: str, resource: str, context: Mapping[str, ContextValue] | None = None) -> None:
        for action in RESOURCE_ACTIONS[kind]:
            build.add(kind, action, resource, context)

    state = f"arn:aws:s3:::{STACK_NAME}-tfstate-{acct}"
    build.add("state", "s3:ListBucket", state, {"s3:prefix": f"env:/{ws.name}/"})
    for suffix in ("", ".tflock"):
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            build.add("state", action, f"{state}/env:/{ws.name}/{STACK_NAME}/stack.tfstate{suffix}")
    for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"):
        build.add("state key", action, ws.account.state_key_arn)

    for table in stack.tables:
        each("aws_dynamodb_table", f"arn:aws:dynamodb:{ra}:table/{p}-{table}")
    for bucket in stack.buckets:
        each("aws_s3_bucket", f"arn:aws:s3:::{p}-{bucket.replace('_', '-')}-{acct}")
    for queue, spec in stack.queues.items():
        each("aws_sqs_queue", f"arn:aws:sqs:{ra}:{p}-{queue}")
        if spec.dlq is not None:
            each("aws_sqs_queue", f"arn:aws:sqs:{ra}:{p}-{queue}-dlq")
    boundary = {"iam:PermissionsBoundary": ws.boundary_arn(), **creating}
    for function in stack.functions:
        name = f"{p}-{function}"
        each("aws_lambda_function", f"arn:aws:lambda:{ra}:function:{name}")
        each("aws_cloudwatch_log_group", f"arn:aws:logs:{ra}:log-group:/aws/lambda/{name}")
        each("aws_cloudwatch_log_group", f"arn:aws:logs:{ra}:log-group:/aws/lambda/{name}:*")
        each("aws_iam_role", f"arn:aws:iam::{acct}:role/{name}")
        each("aws_iam_role+boundary", f"arn:aws:iam::{acct}:role/{name}", boundary)
        build.add(
            "aws_iam_role",
            "iam:PassRole",
            f"arn:aws:iam::{acct}:role/{name}",
            {"iam:PassedToService": "lambda.amazonaws.com"},
        )
        each("aws_sqs_queue", f"arn:aws:sqs:{ra}:{name}-dlq")
        each("aws_cloudwatch_event_rule", f"arn:aws:events:{ra}:rule/{name}-0")
        each("aws_cloudwatch_metric_alarm", f"arn:aws:cloudwatch:{ra}:alarm:{name}-errors")
        each(
            "aws_lambda_event_source_mapping",
            "*",
            {"lambda:FunctionArn": f"arn:aws:lambda:{ra}:function:{name}"},
        )
    # The API's access log group: /aws/apigateway/<prefix>/access (finding 4).
    each("aws_cloudwatch_log_group", f"arn:aws:logs:{ra}:log-group:/aws/apigateway/{p}/access")
    each("aws_sns_topic", f"arn:aws:sns:{ra}:{p}-alarms")
    each("aws_cloudwatch_metric_alarm", f"arn:aws:cloudwatch:{ra}:alarm:{p}-api-5xx")
    for secret in [*(name.replace("_", "-") for name in stack.secrets), "origin-verify"]:
        arn = f"arn:aws:secretsmanager:{ra}:secret:{p}-{secret}-AbCdEf"
        each("aws_secretsmanager_secret", arn)
    each("aws_wafv2_web_acl", f"arn:aws:wafv2:{ra}:regional/webacl/{p}-api/0a1b2c3d")
    each("aws_wafv2_web_acl", f"arn:aws:wafv2:us-east-1:{acct}:global/webacl/{p}-site/0a1b2c3d")
    each("aws_cloudfront_function", f"arn:aws:cloudfront::{acct}:function/{p}-spa-fallback")

    # Generated ids: created with the workspace tag, then managed by it.
    build.add(
        "aws_api_gateway_rest_api",
        "apigateway:POST",
        f"arn:aws:apigateway:{REGION}::/restapis",
        creating,
    )
    api = f"arn:aws:apigateway:{REGION}::/restapis/{SAMPLE_IDS['rest_api']}"
    each("aws_api_gateway_rest_api", api, tagged)
    each("aws_api_gateway_rest_api", f"{api}/resources/abc123/methods/GET", tagged)
    each("aws_api_gateway_stage", f"{api}/stages/api", tagged)
    build.add("aws_cognito_user_pool", "cognito-idp:CreateUserPool", "*", creating)
    each(
        "aws_cognito_user_pool",
        f"arn:aws:cognito-idp:{ra}:userpool/{SAMPLE_IDS['user_pool']}",
        tagged,
    )
    build.add(
        "aws_cloudfront_distribution",
        "cloudfront:CreateDistribution",
        f"arn:aws:cloudfront::{acct}:distribution/*",
        creating,
    )
    each(
        "aws_cloudfront_distribution",
        f"arn:aws:cloudfront::{acct}:distribution/{SAMPLE_IDS['distribution']}",
        tagged,
    )
    if ws.name != "production":
        # The integration suite mints its own tokens on non-production pools.
        for action in TEST_USER_ACTIONS:
            build.add(
                "integration tokens",
                action,
                f"arn:aws:cognito-idp:{ra}:userpool/{SAMPLE_IDS['user_pool']}",
                tagged,
            )
    build.add("aws_kms_key", "kms:CreateKey", "*", creating)
    key = f"arn:aws:kms:{ra}:key/{SAMPLE_IDS['key']}"
    each("aws_kms_key", key, tagged)
    build.add("aws_kms_key", "kms:TagResource", key, {**tagged, "aws:RequestTag/git_sha": "abc"})
    # The CloudFront origin header's value (modules/site).
    build.add("aws_secretsmanager_secret", "secretsmanager:GetRandomPassword", "*")
    # Origin access controls are created on "*", response headers policies by ARN.
    build.add("aws_cloudfront_origin_access_control", "cloudfront:CreateOriginAccessControl", "*")
    each(
        "aws_cloudfront_origin_access_control",
        f"arn:aws:cloudfront::{acct}:origin-access-control/E1OAC",
    )
    each(
        "aws_cloudfront_response_headers_policy",
        f"arn:aws:cloudfront::{acct}:response-headers-policy/0abc",
    )

    # The render-check canary (modules/canary), named after the workspace: its bucket, code
    # object, role, and what Synthetics creates with the caller's permissions.
    canary = p
    bucket = f"arn:aws:s3:::{p}-canary-{acct}"
    each("aws_s3_bucket", bucket)
    each("aws_s3_object", f"{bucket}/code/render-check-0123abcd.zip")
    each("aws_synthetics_canary", f"arn:aws:synthetics:{ra}:canary:{canary}")
    each("aws_synthetics_canary+function", f"arn:aws:lambda:{ra}:function:cwsyn-{canary}-0a1b")
    layer = f"arn:aws:lambda:{ra}:layer:cwsyn-{canary}-0a1b"
    each("aws_synthetics_canary+layer", layer)
    each("aws_synthetics_canary+layer", f"{layer}:1")
    canary_role = f"arn:aws:iam::{acct}:role/{canary}-canary"
    each("aws_iam_role", canary_role)
    each("aws_iam_role+boundary", canary_role, boundary)
    for service in ("lambda.amazonaws.com", "synthetics.amazonaws.com"):
        build.add(
            "aws_synthetics_canary", "iam:PassRole", canary_role, {"iam:PassedToService": service}
        )
    # The Slack channel's role (modules/alarms), created under the boundary like the others.
    chatbot_role = f"arn:aws:iam::{acct}:role/{p}-alarms-chatbot"
    each("aws_iam_role", chatbot_role)
    each("aws_iam_role+boundary", chatbot_role, boundary)
    build.add(
        "aws_chatbot_slack_channel_configuration",
        "iam:PassRole",
        chatbot_role,
        {"iam:PassedToService": "chatbot.amazonaws.com"},
    )
    build.add(
        "aws_chatbot_slack_channel_configuration",
        "chatbot:DescribeSlackChannelConfigurations",
        "*",
    )
    # The alarms module: dashboard, saved Logs Insights queries, Slack channel.
    each("aws_cloudwatch_dashboard", f"arn:aws:cloudwatch::{acct}:dashboard/{p}")
    each("aws_cloudwatch_query_definition", "*")
    slack = f"arn:aws:chatbot::{acct}:chat-configuration/slack-channel/{p}-alarms"
    each("aws_chatbot_slack_channel_configuration", slack)
    return build.cases


# --- negative -------------------------------------------------------------------------


def _other_workspaces(ws: Workspace) -> list[str]:
    return {
        "staging": ["production", "pr-7", "dev-alice"],
        "preview": ["staging", "production", "dev-alice"],
        "developer": ["dev-bob", "staging", "pr-7", "production"],
        "production": ["staging", "pr-7"],
    }[ws.kind]


def negative_cases(ws: Workspace) -> list[Case]:
    build = _Builder(ws, allowed=False)
    acct, ra = ws.account_id, f"{REGION}:{ws.account_id}"
    own_role = f"arn:aws:iam::{acct}:role/{ws.prefix}-orders_api"
    boundary = ws.boundary_arn()
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"

    # Finding 1: no role without the boundary, no way to take it off or rewrite it.
    build.add(
        "role without boundary", "iam:CreateRole", own_role, {"aws:RequestTag/workspace": ws.name}
    )
    build.add(
        "role with another boundary",
        "iam:CreateRole",
        own_role,
        {"iam:PermissionsBoundary": admin, "aws:RequestTag/workspace": ws.name},
    )
    build.add("policy on unbounded role", "iam:PutRolePolicy", own_role)
    build.add(
        "attach admin to unbounded role", "iam:AttachRolePolicy", own_role, {"iam:PolicyARN": admin}
    )
    build.add(
        "swap the boundary",
        "iam:PutRolePermissionsBoundary",
        own_role,
        {"iam:PermissionsBoundary": admin},
    )
    build.add(
        "boundary removal",
        "iam:DeleteRolePermissionsBoundary",
        own_role,
        {"iam:PermissionsBoundary": boundary},
    )
    for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
        build.add("boundary change", action, boundary)
    build.add(
        "role outside the workspace",
        "iam:CreateRole",
        f"arn:aws:iam::{acct}:role/escalate",
        {"iam:PermissionsBoundary": boundary, "aws:RequestTag/workspace": ws.name},
    )
    build.add("user", "iam:CreateUser", f"arn:aws:iam::{acct}:user/{ws.prefix}-x")
    build.add(
        "pass the deploy role",
        "iam:PassRole",
        f"arn:aws:iam::{acct}:role/{STACK_NAME}-deploy-staging",
        {"iam:PassedToService": "lambda.amazonaws.com"},
    )
    for service in ("synthetics.amazonaws.com", "chatbot.amazonaws.com"):
        build.add(
            "pass a function role to another service",
            "iam:PassRole",
            own_role,
            {"iam:PassedToService": service},
        )
    build.add(
        "own identity", "iam:PutRolePolicy", ws.principal, {"iam:PermissionsBoundary": boundary}
    )
    chatbot_role = f"arn:aws:iam::{acct}:role/{ws.prefix}-alarms-chatbot"
    build.add(
        "slack channel role without boundary",
        "iam:CreateRole",
        chatbot_role,
        {"aws:RequestTag/workspace": ws.name},
    )
    build.add("policy on unbounded slack channel role", "iam:PutRolePolicy", chatbot_role)
    build.add(
        "managed policy on unbounded slack channel role",
        "iam:AttachRolePolicy",
        chatbot_role,
        {"iam:PolicyARN": "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"},
    )

    if ws.name == "production":
        pool = f"arn:aws:cognito-idp:{ra}:userpool/{SAMPLE_IDS['user_pool']}"
        for action in TEST_USER_ACTIONS:
            build.add(
                "test users in its own pool",
                action,
                pool,
                {"aws:ResourceTag/workspace": ws.name},
            )

    # Finding 2: the state key, whatever its tags and however it is tagged.
    state_key = ws.account.state_key_arn
    key_context = {
        "aws:ResourceTag/stack": STACK_NAME,
        "aws:RequestTag/workspace": ws.name,
        "aws:RequestTag/stack": STACK_NAME,
    }
    for action in (
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:DisableKey",
        "kms:CreateGrant",
    ):
        build.add(
            "state key", action, state_key, key_context, resource_documents=("state-key-policy",)
        )
    for action in ("kms:PutKeyPolicy", "kms:TagResource"):
        build.add("state key (identity policy alone)", action, state_key, key_context)

    # Findings 3, 4 and isolation: every other workspace's resources and state.
    state = f"arn:aws:s3:::{STACK_NAME}-tfstate-{acct}"
    for other in _other_workspaces(ws):
        p = f"{STACK_NAME}-{other}"
        theirs = {"aws:ResourceTag/workspace": other}
        build.add(
            f"{other} state", "s3:GetObject", f"{state}/env:/{other}/{STACK_NAME}/stack.tfstate"
        )
        build.add(
            f"{other} state", "s3:PutObject", f"{state}/env:/{other}/{STACK_NAME}/stack.tfstate"
        )
        build.add(f"{other} state", "s3:ListBucket", state, {"s3:prefix": f"env:/{other}/"})
        pool = f"arn:aws:cognito-idp:{ra}:userpool/{SAMPLE_IDS['user_pool']}"
        for action in (
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminCreateUser",
            "cognito-idp:UpdateUserPool",
            "cognito-idp:DeleteUserPool",
        ):
            build.add(f"{other} user pool", action, pool, theirs)
        build.add(
            f"{other} user pool: retag it",
            "cognito-idp:TagResource",
            pool,
            {**theirs, "aws:RequestTag/workspace": ws.name},
        )
        api = f"arn:aws:apigateway:{REGION}::/restapis/{SAMPLE_IDS['rest_api']}"
        for action in (
            "apigateway:PATCH",
            "apigateway:DELETE",
            "apigateway:POST",
            "apigateway:PUT",
        ):
            build.add(f"{other} API", action, api, theirs)
        build.add(f"{other} API stage", "apigateway:SetWebACL", f"{api}/stages/api", theirs)
        dist = f"arn:aws:cloudfront::{acct}:distribution/{SAMPLE_IDS['distribution']}"
        for action in (
            "cloudfront:UpdateDistribution",
            "cloudfront:DeleteDistribution",
            "cloudfront:TagResource",
            "cloudfront:CreateInvalidation",
        ):
            build.add(
                f"{other} distribution",
                action,
                dist,
                {**theirs, "aws:RequestTag/workspace": ws.name},
            )
        for action in ("dynamodb:PutItem", "dynamodb:Scan", "dynamodb:DeleteTable"):
            build.add(f"{other} table", action, f"arn:aws:dynamodb:{ra}:table/{p}-main")
        for action in ("s3:GetObject", "s3:PutBucketPolicy", "s3:DeleteBucket"):
            build.add(
                f"{other} bucket",
                action,
                f"arn:aws:s3:::{p}-site-{acct}"
                + ("/index.html" if action == "s3:GetObject" else ""),
            )
        for group in (f"/aws/apigateway/{p}/access", f"/aws/lambda/{p}-orders_api"):
            for action in (
                "logs:DeleteLogGroup",
                "logs:PutRetentionPolicy",
                "logs:FilterLogEvents",
            ):
                build.add(f"{other} log group", action, f"arn:aws:logs:{ra}:log-group:{group}")
        build.add(
            f"{other} function",
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:{ra}:function:{p}-orders_api",
        )
        build.add(
            f"{other} key", "kms:PutKeyPolicy", f"arn:aws:kms:{ra}:key/{SAMPLE_IDS['key']}", theirs
        )
        build.add(
            f"{other} web ACL",
            "wafv2:UpdateWebACL",
            f"arn:aws:wafv2:{ra}:regional/webacl/{p}-api/0a1b2c3d",
        )
        build.add(
            f"{other} secret",
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:{ra}:secret:{p}-payment-provider-AbCdEf",
        )
        canary = p
        for action in (
            "synthetics:UpdateCanary",
            "synthetics:DeleteCanary",
            "synthetics:StartCanary",
            "synthetics:StopCanary",
            "synthetics:TagResource",
        ):
            build.add(f"{other} canary", action, f"arn:aws:synthetics:{ra}:canary:{canary}")
        build.add(
            f"{other} canary",
            "lambda:UpdateFunctionCode",
            f"arn:aws:lambda:{ra}:function:cwsyn-{canary}-0a1b",
        )
        build.add(
            f"{other} canary",
            "lambda:DeleteLayerVersion",
            f"arn:aws:lambda:{ra}:layer:cwsyn-{canary}-0a1b:1",
        )
        for service in ("synthetics.amazonaws.com", "lambda.amazonaws.com"):
            build.add(
                f"{other} canary role",
                "iam:PassRole",
                f"arn:aws:iam::{acct}:role/{canary}-canary",
                {"iam:PassedToService": service},
            )
        for action in ("cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"):
            build.add(f"{other} dashboard", action, f"arn:aws:cloudwatch::{acct}:dashboard/{p}")
        for action in (
            "chatbot:UpdateSlackChannelConfiguration",
            "chatbot:DeleteSlackChannelConfiguration",
        ):
            build.add(
                f"{other} slack channel",
                action,
                f"arn:aws:chatbot::{acct}:chat-configuration/slack-channel/{p}-alarms",
            )
        build.add(
            f"{other} role",
            "iam:PutRolePolicy",
            f"arn:aws:iam::{acct}:role/{p}-orders_api",
            {"iam:PermissionsBoundary": boundary},
        )
        # Creating a resource already tagged as theirs, or moving one of ours to them.
        build.add(
            f"create in {other}",
            "cognito-idp:CreateUserPool",
            "*",
            {"aws:RequestTag/workspace": other},
        )
        build.add(
            f"move a key to {other}",
            "kms:TagResource",
            f"arn:aws:kms:{ra}:key/{SAMPLE_IDS['key']}",
            {"aws:ResourceTag/workspace": ws.name, "aws:RequestTag/workspace": other},
        )
        if ws.kind == DEVELOPER:
            build.add(
                f"role tagged {other}",
                "iam:CreateRole",
                own_role,
                {"iam:PermissionsBoundary": boundary, "aws:RequestTag/workspace": other},
            )
            build.add(
                f"retag role to {other}",
                "iam:TagRole",
                own_role,
                {"aws:RequestTag/workspace": other},
            )
    return build.cases


def trust_cases(ws: Workspace) -> list[Case]:
    """Who may become the workspace's identity (finding 6 for the role's side, finding 8)."""
    build = _Builder(ws, allowed=False)
    acct = ws.account_id
    if ws.kind == DEVELOPER:
        name = ws.scope.removeprefix("dev-")
        person = f"arn:aws:iam::{acct}:user/{name}"
        trust = (f"developer-{ws.scope}-trust",)
        mfa = {"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "120"}
        build.add(
            "with MFA",
            "sts:AssumeRole",
            ws.principal,
            mfa,
            principal=person,
            documents=(),
            resource_documents=trust,
            allowed=True,
        )
        build.add(
            "without MFA",
            "sts:AssumeRole",
            ws.principal,
            {"aws:MultiFactorAuthPresent": "false"},
            principal=person,
            documents=(),
            resource_documents=trust,
        )
        build.add(
            "another developer",
            "sts:AssumeRole",
            ws.principal,
            mfa,
            principal=f"arn:aws:iam::{acct}:user/bob",
            documents=(),
            resource_documents=trust,
        )
    else:
        oidc = f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"
        trust = (f"deploy-{ws.scope}-trust",)
        main_only = ws.scope in ("staging", "production")

        def token(environment: str, ref: str) -> dict[str, ContextValue]:
            subject = f"repo:{REPOSITORY}:environment:{environment}:ref:{ref}"
            return {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": subject,
            }

        options: dict[str, Any] = {"principal": oidc, "documents": (), "resource_documents": trust}
        action = "sts:AssumeRoleWithWebIdentity"
        ref = "refs/heads/main" if main_only else "refs/pull/7/merge"
        build.add(
            "its environment", action, ws.principal, token(ws.scope, ref), allowed=True, **options
        )
        build.add(
            "another environment",
            action,
            ws.principal,
            token("preview" if main_only else "staging", ref),
            **options,
        )
        if main_only:
            build.add(
                "a branch other than main",
                action,
                ws.principal,
                token(ws.scope, "refs/heads/feature"),
                **options,
            )
        fork = token(ws.scope, ref)
        fork["token.actions.githubusercontent.com:sub"] = (
            f"repo:someone/fork:environment:{ws.scope}:ref:{ref}"
        )
        build.add("another repository", action, ws.principal, fork, **options)
    glass = f"arn:aws:iam::{acct}:role/{STACK_NAME}-break-glass"
    build.add(
        "break glass without a grant",
        "sts:AssumeRole",
        glass,
        {
            "aws:MultiFactorAuthPresent": "true",
            "aws:MultiFactorAuthAge": "60",
            "sts:SourceIdentity": "oncall",
            "aws:CurrentTime": "2026-12-02T14:00:00Z",
        },
        principal=f"arn:aws:iam::{acct}:user/oncall",
        documents=(),
        resource_documents=("break-glass-trust",),
    )
    return build.cases


def boundary_cases(ws: Workspace) -> list[Case]:
    """What a role the stack creates (under its boundary) can never do, whatever its policy says."""
    build = _Builder(ws, allowed=False)
    acct, ra = ws.account_id, f"{REGION}:{ws.account_id}"
    role = f"arn:aws:iam::{acct}:role/{ws.prefix}-orders_api"
    boundary_doc = "boundary-developer" if ws.kind == DEVELOPER else f"boundary-{ws.scope}"
    tags = {"aws:PrincipalTag/workspace": ws.name}
    cases: list[tuple[str, str, str, bool]] = [
        ("own table", "dynamodb:PutItem", f"arn:aws:dynamodb:{ra}:table/{ws.prefix}-main", True),
        (
            "own logs",
            "logs:PutLogEvents",
            f"arn:aws:logs:{ra}:log-group:/aws/lambda/{ws.prefix}-orders_api:log-stream:x",
            True,
        ),
        (
            "own secret",
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:{ra}:secret:{ws.prefix}-payment-provider-AbCdEf",
            True,
        ),
        ("iam", "iam:CreateRole", f"arn:aws:iam::{acct}:role/x", False),
        (
            "state",
            "s3:GetObject",
            f"arn:aws:s3:::{STACK_NAME}-tfstate-{acct}/env:/{ws.name}/{STACK_NAME}/stack.tfstate",
            False,
        ),
        ("sts", "sts:AssumeRole", f"arn:aws:iam::{acct}:role/{STACK_NAME}-deploy-staging", False),
    ]
    for other in _other_workspaces(ws):
        cases.append(
            (
                f"{other} table",
                "dynamodb:GetItem",
                f"arn:aws:dynamodb:{ra}:table/{STACK_NAME}-{other}-main",
                False,
            )
        )
        secret = f"arn:aws:secretsmanager:{ra}:secret:{STACK_NAME}-{other}-payment-provider-Ab"
        cases.append((f"{other} secret", "secretsmanager:GetSecretValue", secret, False))
    # The Slack channel's role: read the workspace's alarms and draw metrics, change nothing.
    chatbot = f"arn:aws:iam::{acct}:role/{ws.prefix}-alarms-chatbot"
    own_alarm = f"arn:aws:cloudwatch:{ra}:alarm:{ws.prefix}-api-5xx"
    reads = [
        ("cloudwatch:DescribeAlarms", own_alarm),
        ("cloudwatch:DescribeAlarmHistory", own_alarm),
        ("cloudwatch:GetMetricWidgetImage", "*"),
        ("cloudwatch:GetMetricData", "*"),
        ("cloudwatch:GetMetricStatistics", "*"),
        ("cloudwatch:ListMetrics", "*"),
    ]
    changes = [
        ("cloudwatch:PutMetricAlarm", own_alarm),
        ("cloudwatch:DeleteAlarms", own_alarm),
        ("cloudwatch:SetAlarmState", own_alarm),
        ("cloudwatch:DisableAlarmActions", own_alarm),
        ("cloudwatch:PutMetricData", "*"),
        ("cloudwatch:PutDashboard", f"arn:aws:cloudwatch::{acct}:dashboard/{ws.prefix}"),
        ("logs:StartQuery", f"arn:aws:logs:{ra}:log-group:/aws/lambda/{ws.prefix}-orders_api"),
    ]
    slack: list[tuple[str, str, str, bool]] = [
        *(("slack channel reads", action, resource, True) for action, resource in reads),
        *(("slack channel changes", action, resource, False) for action, resource in changes),
        *(
            (
                f"slack channel reads {other}'s alarms",
                action,
                f"arn:aws:cloudwatch:{ra}:alarm:{STACK_NAME}-{other}-api-5xx",
                False,
            )
            for other in _other_workspaces(ws)
            for action in ("cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory")
        ),
    ]
    # The canary's role: its function's logs, bucket listing, metrics of its namespace only.
    canary = f"arn:aws:iam::{acct}:role/{ws.prefix}-canary"
    canary_logs = f"arn:aws:logs:{ra}:log-group:/aws/lambda/cwsyn-{ws.prefix}-0a1b"
    synthetics = {"cloudwatch:namespace": "CloudWatchSynthetics"}
    render_check: list[tuple[str, str, str, bool, Mapping[str, ContextValue]]] = [
        ("canary logs", "logs:CreateLogGroup", canary_logs, True, {}),
        ("canary logs", "logs:CreateLogStream", f"{canary_logs}:log-stream:x", True, {}),
        ("canary logs", "logs:PutLogEvents", f"{canary_logs}:log-stream:x", True, {}),
        ("canary lists buckets", "s3:ListAllMyBuckets", "*", True, {}),
        (
            "canary locates its bucket",
            "s3:GetBucketLocation",
            f"arn:aws:s3:::{ws.prefix}-canary-{acct}",
            True,
            {},
        ),
        ("canary metrics", "cloudwatch:PutMetricData", "*", True, synthetics),
        (
            "canary metrics in another namespace",
            "cloudwatch:PutMetricData",
            "*",
            False,
            {"cloudwatch:namespace": "AWS/Lambda"},
        ),
        *(
            (
                f"{other} canary's logs",
                "logs:PutLogEvents",
                f"arn:aws:logs:{ra}:log-group:/aws/lambda/cwsyn-{STACK_NAME}-{other}-0a1b:x",
                False,
                {},
            )
            for other in _other_workspaces(ws)
        ),
    ]
    # What only the canary's role may do: no other role of the workspace (a function's),
    # whatever its own policy says. Its own buckets' location is any role's to read.
    not_the_canary = [
        (f"function as the canary: {label}", action, resource, False, context)
        for label, action, resource, allowed, context in render_check
        if allowed and action != "s3:GetBucketLocation"
    ]
    each: list[tuple[str, str, str, bool, str, Mapping[str, ContextValue]]] = [
        *((*case, role, {}) for case in cases),
        *((*case, chatbot, {}) for case in slack),
        *((label, action, res, ok, canary, ctx) for label, action, res, ok, ctx in render_check),
        *((label, action, res, ok, role, ctx) for label, action, res, ok, ctx in not_the_canary),
    ]
    for label, action, resource, allowed, principal, context in each:
        build.cases.append(
            Case(
                f"{ws.name}: role under boundary: {label}: {action} {resource}",
                Request(action, resource, principal, {**tags, **context}),
                allowed,
                documents=("*",),
                boundary_document=boundary_doc,
                account_name=ws.account_name,
            )
        )
    return build.cases


def function_cases(rendered: Mapping[str, Documents]) -> list[Case]:
    """Each function role can do all its policy says under its workspace's boundary.

    Every (action, resource) of every rendered `function-<name>` document of staging,
    evaluated as that role: its own policy plus boundary-staging must allow it, so the
    boundary never breaks a function.
    """
    return _under_boundary(rendered, "function-")


def role_policy_cases(rendered: Mapping[str, Documents]) -> list[Case]:
    """The same for the other rendered role policies (`role-<name>`: Slack channel, canary)."""
    return _under_boundary(rendered, "role-")


def _under_boundary(rendered: Mapping[str, Documents], kind: str) -> list[Case]:
    ws = WORKSPACES["staging"]
    found = []
    for name, document in sorted(rendered[ws.account_name].items()):
        if not name.startswith(kind):
            continue
        role = f"arn:aws:iam::{ws.account_id}:role/{ws.prefix}-{name.removeprefix(kind)}"
        for statement in document["Statement"]:
            # A request the statement's own conditions admit (PutMetricData in its namespace).
            context: dict[str, ContextValue] = {
                key: _listed(value)[0]
                for operator, block in statement.get("Condition", {}).items()
                if operator in ("StringEquals", "StringLike")
                for key, value in block.items()
            }
            context["aws:PrincipalTag/workspace"] = ws.name
            for action in _listed(statement["Action"]):
                for resource in _listed(statement["Resource"]):
                    concrete = resource[:-1] + "x" if resource.endswith("*") else resource
                    found.append(
                        Case(
                            f"{ws.name}: {name} under its boundary: {action} {concrete}",
                            Request(action, concrete, role, context),
                            True,
                            documents=(name,),
                            boundary_document=f"boundary-{ws.scope}",
                            account_name=ws.account_name,
                        )
                    )
    return found


def role_cases(roles: Mapping[str, str | None]) -> list[Case]:
    """The deploy identity may create every role of the rendered stack, as declared.

    `roles`: role name => the permissions boundary Terraform gives it (None for none),
    from the stack applied with every optional role on (woocom.iam.functions). Creating
    it and writing its policy carry that boundary as iam:PermissionsBoundary, so a role
    declared without the scope's boundary is refused here as it would be at apply.
    """
    ws = WORKSPACES["staging"]
    build = _Builder(ws, allowed=True)
    for name, boundary in sorted(roles.items()):
        context: dict[str, ContextValue] = {"aws:RequestTag/workspace": ws.name}
        if boundary is not None:
            context["iam:PermissionsBoundary"] = boundary
        for action in ("iam:CreateRole", "iam:PutRolePolicy"):
            build.add(
                "stack role as declared",
                action,
                f"arn:aws:iam::{ws.account_id}:role/{name}",
                context,
            )
    return build.cases


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def with_everything(rendered: Mapping[str, Documents]) -> dict[str, Documents]:
    """The rendered documents plus "*": an Allow-everything identity policy (boundary cases)."""
    everything = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    return {name: {**docs, "*": everything} for name, docs in rendered.items()}


def all_cases() -> Iterator[tuple[str, Case]]:
    """(kind, case) for every workspace: positive, negative, trust and boundary."""
    stack = _stack()
    for ws in WORKSPACES.values():
        for case in positive_cases(ws, stack):
            yield "positive", case
        for case in negative_cases(ws):
            yield "negative", case
        for case in trust_cases(ws):
            yield ("positive" if case.allowed else "negative"), case
        for case in boundary_cases(ws):
            yield ("positive" if case.allowed else "negative"), case


def failures(rendered: Mapping[str, Documents]) -> list[tuple[Case, Decision]]:
    documents = with_everything(rendered)
    every = (
        [case for _, case in all_cases()] + function_cases(rendered) + role_policy_cases(rendered)
    )
    return [(case, case.decide(documents)) for case in every if not case.holds(documents)]
