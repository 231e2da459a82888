# People, as opposed to CI: developers provisioning their own dev-<name> stack by
# hand in the staging account, and the break-glass role for emergencies.

# --- developer stacks (staging account) ------------------------------------------------

# The most any role created by a developer stack can do: its own workspace's data and logs.
data "aws_iam_policy_document" "boundary" {
  count = var.developer_stacks ? 1 : 0

  statement {
    sid     = "DeveloperStackData"
    actions = ["dynamodb:*", "sqs:*", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "arn:aws:dynamodb:${local.region_account}:table/${var.stack_name}-dev-*",
      "arn:aws:sqs:${local.region_account}:${var.stack_name}-dev-*",
      "arn:aws:s3:::${var.stack_name}-dev-*",
      "arn:aws:logs:${local.region_account}:log-group:/aws/lambda/${var.stack_name}-dev-*",
    ]
  }
}

resource "aws_iam_policy" "boundary" {
  count = var.developer_stacks ? 1 : 0

  name        = "${var.stack_name}-developer-boundary"
  description = "Permissions boundary of every role a developer stack creates"
  policy      = data.aws_iam_policy_document.boundary[0].json
}

resource "aws_iam_policy" "developer" {
  count = var.developer_stacks ? 1 : 0

  name        = "${var.stack_name}-developer-stacks"
  description = "Provision dev-<name> stacks by hand: their state, their resources, roles under the boundary"
  policy      = data.aws_iam_policy_document.stack["developer"].json
}

# Membership is granted on request (README: "Access requests"); the group only carries the policy.
resource "aws_iam_group" "developers" {
  count = var.developer_stacks ? 1 : 0

  name = "${var.stack_name}-developers"
}

resource "aws_iam_group_policy_attachment" "developers" {
  count = var.developer_stacks ? 1 : 0

  group      = aws_iam_group.developers[0].name
  policy_arn = aws_iam_policy.developer[0].arn
}

# --- break glass -----------------------------------------------------------------------

data "aws_iam_policy_document" "break_glass_trust" {
  count = length(var.break_glass_principals) > 0 ? 1 : 0

  statement {
    # SetSourceIdentity: the caller's name follows the session into CloudTrail.
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"]

    principals {
      type        = "AWS"
      identifiers = var.break_glass_principals
    }

    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["true"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "aws:MultiFactorAuthAge"
      values   = ["900"]
    }

    condition {
      test     = "Null"
      variable = "sts:SourceIdentity"
      values   = ["false"]
    }
  }
}

# Stop or remove a misbehaving function, and read what it logged. Nothing else.
data "aws_iam_policy_document" "break_glass" {
  count = length(var.break_glass_principals) > 0 ? 1 : 0

  statement {
    sid = "StopFunctions"
    actions = [
      "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency", "lambda:DeleteFunction",
    ]
    resources = ["arn:aws:lambda:${local.region_account}:function:${var.stack_name}-*"]
  }

  statement {
    sid       = "StopTriggers"
    actions   = ["lambda:UpdateEventSourceMapping"]
    resources = ["*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:FunctionArn"
      values   = ["arn:aws:lambda:${local.region_account}:function:${var.stack_name}-*"]
    }
  }

  statement {
    sid       = "ReadLogs"
    actions   = ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:DescribeLogStreams"]
    resources = ["arn:aws:logs:${local.region_account}:log-group:/aws/lambda/${var.stack_name}-*"]
  }

  # Actions that take no resource ARN. GetQueryResults (a query by its id) is one: under
  # ReadLogs' log-group ARN it was never allowed, so StartQuery's results were unreadable.
  statement {
    sid       = "List"
    actions   = ["lambda:ListFunctions", "lambda:ListEventSourceMappings", "logs:DescribeLogGroups", "logs:GetQueryResults"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "break_glass" {
  count = length(var.break_glass_principals) > 0 ? 1 : 0

  name                 = "${var.stack_name}-break-glass"
  description          = "Emergency: stop or delete a faulty function. MFA, 1 hour, source identity logged."
  assume_role_policy   = data.aws_iam_policy_document.break_glass_trust[0].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "break_glass" {
  count = length(var.break_glass_principals) > 0 ? 1 : 0

  name   = "break-glass"
  role   = aws_iam_role.break_glass[0].id
  policy = data.aws_iam_policy_document.break_glass[0].json
}
