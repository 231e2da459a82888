# One dashboard per stack, generated from the same inputs as the alarms: the alarm
# states first, then a row for the API, each function, queue, table, the site and the
# canary. Widgets without x/y flow left to right, so each row is 24 units wide.

locals {
  # ["Namespace", "Metric", "Dim", "value", ..., {options}]: the dashboard's metric notation.
  api_dims = ["ApiName", var.api.name, "Stage", var.api.stage]

  header = [{
    type       = "text", width = 24, height = 2
    properties = { markdown = "# ${var.name}\nAlarms go to SNS topic `${aws_sns_topic.this.name}`. Logs: `nox -s logs -- <env> <function>`; saved Logs Insights queries under `${var.name}/`." }
  }]

  alarm_status = [{
    type = "alarm", width = 24, height = 6
    # An alarm status widget shows at most 100 alarms.
    properties = { title = "Alarms", alarms = slice(sort([for a in aws_cloudwatch_metric_alarm.this : a.arn]), 0, min(100, length(aws_cloudwatch_metric_alarm.this))) }
  }]

  api_row = [
    { type = "metric", width = 8, height = 6, properties = { title = "API requests and errors", region = var.region, stat = "Sum", period = 60, metrics = [
      concat(["AWS/ApiGateway", "Count"], local.api_dims),
      concat(["AWS/ApiGateway", "4XXError"], local.api_dims),
      concat(["AWS/ApiGateway", "5XXError"], local.api_dims, [{ color = "#d62728" }]),
    ] } },
    { type = "metric", width = 8, height = 6, properties = { title = "API latency", region = var.region, period = 60, metrics = [
      concat(["AWS/ApiGateway", "Latency"], local.api_dims, [{ stat = "p50" }]),
      concat(["AWS/ApiGateway", "Latency"], local.api_dims, [{ stat = "p99" }]),
    ] } },
    { type = "metric", width = 8, height = 6, properties = { title = "API 4xx rate (%)", region = var.region, stat = "Average", period = 300, metrics = [
      [{ expression = "100 * m1", label = "4xx %", id = "e1" }],
      concat(["AWS/ApiGateway", "4XXError"], local.api_dims, [{ id = "m1", visible = false }]),
    ] } },
  ]

  function_rows = flatten([for key, fn in var.functions : [
    { type = "metric", width = 8, height = 6, properties = { title = "${key}: invocations, errors, throttles", region = var.region, stat = "Sum", period = 300, metrics = [
      ["AWS/Lambda", "Invocations", "FunctionName", fn.name],
      ["AWS/Lambda", "Errors", "FunctionName", fn.name, { color = "#d62728" }],
      ["AWS/Lambda", "Throttles", "FunctionName", fn.name],
    ] } },
    { type = "metric", width = 8, height = 6, properties = {
      title = "${key}: duration (timeout ${fn.timeout} s)", region = var.region, period = 300,
      metrics = [
        ["AWS/Lambda", "Duration", "FunctionName", fn.name, { stat = "p50" }],
        ["AWS/Lambda", "Duration", "FunctionName", fn.name, { stat = "p99" }],
      ]
      annotations = { horizontal = [{ label = "timeout", value = fn.timeout * 1000 }] }
    } },
    { type = "log", width = 8, height = 6, properties = {
      title = "${key}: latest errors", region = var.region, view = "table"
      query = "SOURCE '${fn.log_group}' | fields @timestamp, correlation_id, message | filter level = \"ERROR\" or @message like /Task timed out/ | sort @timestamp desc | limit 20"
    } },
  ]])

  queue_rows = [for key, q in var.queues : {
    type = "metric", width = 12, height = 6, properties = { title = "queue ${key}: backlog", region = var.region, stat = "Maximum", period = 60, metrics = concat(
      [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q.name, { yAxis = "right" }]],
      [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q.name]],
      [for dlq_key, dlq in var.dead_letter_queues : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", dlq, { label = "dead letters", color = "#d62728" }] if dlq_key == key],
    ) }
  }]

  table_rows = flatten([for key, t in var.tables : [
    { type = "metric", width = 8, height = 6, properties = { title = "table ${key}: consumed capacity", region = var.region, stat = "Sum", period = 60, metrics = [
      ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", t.name],
      ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", t.name],
    ] } },
    { type = "metric", width = 8, height = 6, properties = { title = "table ${key}: throttle events (table and indexes)", region = var.region, stat = "Sum", period = 60, metrics = concat(
      [["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t.name], ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t.name]],
      flatten([for index in t.indexes : [
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t.name, "GlobalSecondaryIndexName", index],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t.name, "GlobalSecondaryIndexName", index],
      ]]),
    ) } },
    { type = "metric", width = 8, height = 6, properties = { title = "table ${key}: latency and errors by operation", region = var.region, period = 300, metrics = [
      [{ expression = "SELECT AVG(SuccessfulRequestLatency) FROM SCHEMA(\"AWS/DynamoDB\", Operation, TableName) WHERE TableName = '${t.name}' GROUP BY Operation", id = "q1", label = "latency (ms)" }],
      [{ expression = "SELECT SUM(SystemErrors) FROM SCHEMA(\"AWS/DynamoDB\", Operation, TableName) WHERE TableName = '${t.name}'", id = "q2", label = "system errors", yAxis = "right" }],
    ] } },
  ]])

  site_dims = ["DistributionId", coalesce(var.site.distribution_id, "none"), "Region", "Global"]
  site_row = [for widget in [
    { type = "metric", width = 12, height = 6, properties = { title = "storefront: requests (users reaching the site)", region = "us-east-1", stat = "Sum", period = 300, metrics = [
      [{ expression = "ANOMALY_DETECTION_BAND(m1, ${local.thresholds.site_requests_band_width})", id = "band", label = "usual" }],
      concat(["AWS/CloudFront", "Requests"], local.site_dims, [{ id = "m1" }]),
    ] } },
    { type = "metric", width = 12, height = 6, properties = { title = "storefront: error rates (%)", region = "us-east-1", stat = "Average", period = 300, metrics = [
      concat(["AWS/CloudFront", "4xxErrorRate"], local.site_dims),
      concat(["AWS/CloudFront", "5xxErrorRate"], local.site_dims, [{ color = "#d62728" }]),
    ] } },
  ] : widget if var.site.enabled]

  canary_row = [for widget in [
    { type = "metric", width = 24, height = 6, properties = { title = "canary ${coalesce(var.canary_name, "none")}: success (%)", region = var.region, stat = "Average", period = 300, metrics = [
      ["CloudWatchSynthetics", "SuccessPercent", "CanaryName", coalesce(var.canary_name, "none")],
    ] } },
  ] : widget if var.canary_name != null]

  widgets = concat(local.header, local.alarm_status, local.api_row, local.function_rows, local.queue_rows, local.table_rows, local.site_row, local.canary_row)
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
