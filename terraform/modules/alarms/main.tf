# First alerting: everything goes to one SNS topic, with optional email subscriptions.

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.topic.arn
  tags              = var.tags
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

locals {
  # Every alarm of the module, keyed by what it watches (stable names, so for_each never
  # reorders). Each entry differs only in metric, dimensions, statistic, period and threshold.
  alarms = merge(
    {
      api_5xx = {
        description = "The API answered more than ${var.api_5xx_per_minute} 5xx in one minute."
        namespace   = "AWS/ApiGateway"
        metric      = "5XXError"
        dimensions  = { ApiName = var.api.name, Stage = var.api.stage }
        statistic   = "Sum"
        period      = 60
        threshold   = var.api_5xx_per_minute
      }
    },
    { for fn, function_name in var.function_names : "${fn}-errors" => {
      description = "${function_name} failed more than ${var.function_errors_per_5_minutes} times in 5 minutes."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = function_name }
      statistic   = "Sum"
      period      = 300
      threshold   = var.function_errors_per_5_minutes
    } },
    { for fn, function_name in var.function_names : "${fn}-throttles" => {
      description = "${function_name} was throttled."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = { FunctionName = function_name }
      statistic   = "Sum"
      period      = 300
      threshold   = 0
    } },
    { for queue, queue_name in var.dead_letter_queues : "${queue}-dlq" => {
      description = "Messages are waiting in ${queue_name}: something failed for good."
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = queue_name }
      statistic   = "Maximum"
      period      = 300
      threshold   = 0
    } },
    { for table, table_name in var.table_names : "${table}-table-throttles" => {
      description = "Requests to ${table_name} were throttled."
      namespace   = "AWS/DynamoDB"
      metric      = "ThrottledRequests"
      dimensions  = { TableName = table_name }
      statistic   = "Sum"
      period      = 300
      threshold   = 0
    } },
    { for table, table_name in var.table_names : "${table}-table-system-errors" => {
      description = "DynamoDB answered ${table_name} requests with a 5xx."
      namespace   = "AWS/DynamoDB"
      metric      = "SystemErrors"
      dimensions  = { TableName = table_name }
      statistic   = "Sum"
      period      = 300
      threshold   = 0
    } },
    var.site.enabled ? {
      site-5xx = {
        description = "More than ${var.site_5xx_error_rate}% of storefront requests failed with a 5xx."
        namespace   = "AWS/CloudFront"
        metric      = "5xxErrorRate"
        dimensions  = { DistributionId = var.site.distribution_id, Region = "Global" }
        statistic   = "Average"
        period      = 300
        threshold   = var.site_5xx_error_rate
      }
    } : {},
  )
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
  tags                = var.tags
}
