# Where alarms go: one encrypted SNS topic per stack, with email, Slack (AWS Chatbot)
# and HTTPS (PagerDuty, Opsgenie) subscribers. Alarms notify on ALARM and on OK.

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.topic.arn
  tags              = var.tags

  lifecycle {
    precondition {
      condition     = !var.require_subscriber || length(var.alarm_emails) > 0 || var.slack_channel != null || nonsensitive(var.https_endpoint != null)
      error_message = "No one would receive ${var.name}'s alarms: set alarm_emails, alarm_slack_channel or alarm_https_endpoint (TF_VAR_alarm_https_endpoint) for this environment (terraform/envs/<env>.tfvars)."
    }
  }
}

# CloudWatch alarms cannot publish to a topic under the AWS managed key (alias/aws/sns):
# its policy cannot be changed to let cloudwatch.amazonaws.com use it, and the
# notifications would be dropped silently. So the topic gets a key of its own.
resource "aws_kms_key" "topic" {
  description             = "${var.name} alarm notifications"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.topic_key.json
  tags                    = var.tags
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "topic_key" {
  # checkov:skip=CKV_AWS_111:a key policy's "*" resource is this key only; the account administers it
  # checkov:skip=CKV_AWS_356:same: in a key policy "*" means the key the policy is attached to
  # checkov:skip=CKV_AWS_109:same: key administration stays with the account root, as AWS's default key policy
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublish"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

# PagerDuty / Opsgenie: their SNS integration URLs confirm the subscription themselves.
# The URL holds the integration key, so it is sensitive; only its presence decides.
resource "aws_sns_topic_subscription" "https" {
  count = nonsensitive(var.https_endpoint != null) ? 1 : 0

  topic_arn              = aws_sns_topic.this.arn
  protocol               = "https"
  endpoint               = var.https_endpoint
  endpoint_auto_confirms = true
}

# Slack through AWS Chatbot: the workspace must be authorized once in the Chatbot
# console (that is where the workspace id comes from); the channel is then declared here.
resource "aws_chatbot_slack_channel_configuration" "this" {
  count = var.slack_channel == null ? 0 : 1

  configuration_name          = "${var.name}-alarms"
  slack_team_id               = var.slack_channel.workspace_id
  slack_channel_id            = var.slack_channel.channel_id
  sns_topic_arns              = [aws_sns_topic.this.arn]
  iam_role_arn                = aws_iam_role.chatbot[0].arn
  guardrail_policy_arns       = ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]
  user_authorization_required = true
  logging_level               = "ERROR"
  tags                        = var.tags
}

# What the channel may do: read this stack's alarms and draw their graphs, nothing else.
# Like every role a deploy identity creates, it carries the scope's permissions boundary
# (terraform/bootstrap/policies: `AlarmChannelRead` and `AlarmChannelMetrics` there).
resource "aws_iam_role" "chatbot" {
  count = var.slack_channel == null ? 0 : 1

  name                 = "${var.name}-alarms-chatbot"
  assume_role_policy   = data.aws_iam_policy_document.chatbot_assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "chatbot_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["chatbot.amazonaws.com"]
    }
  }
}

# An alarm notification in Slack is the alarm (DescribeAlarms, its recent state changes)
# and a picture of its metric, which Chatbot asks CloudWatch to draw with this role
# (GetMetricWidgetImage, the data behind it). AWS Chatbot's "Notification permissions"
# template grants cloudwatch:Describe*/Get*/List*; these are the read actions of it that
# an alarm needs, listed one by one. Alarms are named <prefix>-<key>: the two alarm
# actions take alarm ARNs, the metric reads take no resource in IAM ("*").
resource "aws_iam_role_policy" "chatbot" {
  count = var.slack_channel == null ? 0 : 1

  name = "read-alarms"
  role = aws_iam_role.chatbot[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadOwnAlarms"
        Effect   = "Allow"
        Action   = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
        Resource = "arn:aws:cloudwatch:${var.region}:${data.aws_caller_identity.current.account_id}:alarm:${var.name}-*"
      },
      {
        Sid    = "DrawAlarmGraphs"
        Effect = "Allow"
        Action = [
          "cloudwatch:GetMetricWidgetImage", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics",
          "cloudwatch:ListMetrics",
        ]
        Resource = "*"
      },
    ]
  })
}
