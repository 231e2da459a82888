# What it takes to plan, apply and destroy the stack (terraform/stack) for the
# workspaces matching one pattern: every resource is named
# "<stack>-<workspace>-...", so actions are scoped to those names. Services whose
# ARNs carry generated ids (API Gateway, Cognito, CloudFront) cannot be scoped by
# name; README.md lists that residual access.

locals {
  # policy name => workspace pattern
  stack_policies = merge(
    var.deploy_environments,
    var.developer_stacks ? { developer = "dev-*" } : {},
  )
  region_account = "${var.region}:${var.account_id}"
  # policy name => the resource names it owns; an IAM wildcard also spans "/" and ":",
  # so one pattern covers a table's indexes and a function's versions.
  owned = { for name, pattern in local.stack_policies : name => "${var.stack_name}-${pattern}-*" }
}

data "aws_iam_policy_document" "stack" {
  # checkov:skip=CKV_AWS_356:"*" only where AWS has no resource ARN: List/Describe, Create of id-named resources, mappings scoped by condition
  for_each = local.stack_policies

  statement {
    sid       = "StateList"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }

  statement {
    sid       = "StateObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/env:/${each.value}/${local.state_key}*"]
  }

  statement {
    sid       = "StateKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }

  statement {
    sid     = "OwnedByName"
    actions = ["dynamodb:*", "sqs:*", "sns:*", "events:*", "s3:*"]
    resources = [
      "arn:aws:dynamodb:${local.region_account}:table/${local.owned[each.key]}",
      "arn:aws:sqs:${local.region_account}:${local.owned[each.key]}",
      "arn:aws:sns:${local.region_account}:${local.owned[each.key]}",
      "arn:aws:events:${local.region_account}:rule/${local.owned[each.key]}",
      "arn:aws:s3:::${local.owned[each.key]}",
    ]
  }

  statement {
    sid     = "Functions"
    actions = ["lambda:*"]
    resources = [
      "arn:aws:lambda:${local.region_account}:function:${local.owned[each.key]}",
    ]
  }

  statement {
    sid = "EventSourceMappings"
    actions = [
      "lambda:CreateEventSourceMapping",
      "lambda:UpdateEventSourceMapping",
      "lambda:DeleteEventSourceMapping",
    ]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["arn:aws:lambda:${local.region_account}:function:${local.owned[each.key]}"]
    }
  }

  statement {
    sid     = "Logs"
    actions = ["logs:*"]
    resources = [
      "arn:aws:logs:${local.region_account}:log-group:/aws/lambda/${local.owned[each.key]}",
      "arn:aws:logs:${local.region_account}:log-group:/aws/apigateway/${local.owned[each.key]}",
    ]
  }

  statement {
    sid       = "Alarms"
    actions   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"]
    resources = ["arn:aws:cloudwatch:${local.region_account}:alarm:${local.owned[each.key]}"]
  }

  statement {
    sid = "FunctionRoles"
    actions = [
      "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
      "iam:UntagRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
    ]
    resources = ["arn:aws:iam::${var.account_id}:role/${local.owned[each.key]}"]
  }

  # Split from FunctionRoles: IAM sets iam:PermissionsBoundary only on these actions,
  # so the developer condition on GetRole or TagRole would deny every plan and apply.
  statement {
    sid = "FunctionRolePermissions"
    actions = [
      "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
    ]
    resources = ["arn:aws:iam::${var.account_id}:role/${local.owned[each.key]}"]

    # Developer stacks may only create, or change the policies of, roles that carry the boundary (people.tf).
    dynamic "condition" {
      for_each = each.key == "developer" ? [aws_iam_policy.boundary[0].arn] : []
      content {
        test     = "StringEquals"
        variable = "iam:PermissionsBoundary"
        values   = [condition.value]
      }
    }
  }

  statement {
    sid       = "PassFunctionRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::${var.account_id}:role/${local.owned[each.key]}"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com", "apigateway.amazonaws.com"]
    }
  }

  statement {
    sid       = "ApiGateway"
    actions   = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"]
    resources = ["arn:aws:apigateway:${var.region}::/restapis", "arn:aws:apigateway:${var.region}::/restapis/*", "arn:aws:apigateway:${var.region}::/tags/*"]
  }

  statement {
    sid       = "UserPools"
    actions   = ["cognito-idp:*"]
    resources = ["arn:aws:cognito-idp:${local.region_account}:userpool/*"]
  }

  statement {
    sid       = "Cdn"
    actions   = ["cloudfront:*"]
    resources = ["arn:aws:cloudfront::${var.account_id}:*"]
  }

  # The alarm topic's own key (CloudWatch cannot publish under alias/aws/sns). Keys have
  # generated ids, so they are scoped by the stack tag the root puts on every resource.
  statement {
    sid       = "CreateStackKeys"
    actions   = ["kms:CreateKey", "kms:TagResource"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/stack"
      values   = [var.stack_name]
    }
  }

  statement {
    sid = "StackKeys"
    actions = [
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
      "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
      "kms:ScheduleKeyDeletion", "kms:Decrypt", "kms:GenerateDataKey",
    ]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/stack"
      values   = [var.stack_name]
    }
  }

  statement {
    sid = "ReadOnlyDiscovery"
    actions = [
      "cognito-idp:CreateUserPool", "cognito-idp:ListUserPools",
      "cloudfront:CreateOriginAccessControl", "cloudfront:ListDistributions", "cloudfront:ListOriginAccessControls",
      "cloudfront:ListCachePolicies", "cloudfront:GetCachePolicy", "cloudfront:ListResponseHeadersPolicies",
      "cloudwatch:DescribeAlarms", "logs:DescribeLogGroups", "lambda:GetEventSourceMapping",
      "lambda:ListEventSourceMappings", "acm:DescribeCertificate", "acm:ListCertificates",
      "iam:ListRoles", "iam:GetPolicy", "iam:GetPolicyVersion",
    ]
    resources = ["*"]
  }
}
