# Alarms derived from the stack's resources, each on a metric of the table in
# metrics.json (generated from src/woocom/ops/metrics.py): namespace, metric name,
# statistic and the dimension sets AWS publishes. An alarm asking for dimensions
# that are not a published set is refused at plan time: it would watch a series
# that does not exist and never fire.

locals {
  catalog = jsondecode(file("${path.module}/metrics.json")).metrics

  default_thresholds = {
    api_5xx_per_minute                   = 150
    api_4xx_percent                      = 10
    api_p99_latency_ms                   = 3000
    function_errors_per_5_minutes        = 5
    function_throttles_per_5_minutes     = 0
    function_duration_percent_of_timeout = 80
    queue_oldest_message_seconds         = 900
    table_throttle_events_per_5_minutes  = 0
    table_system_errors_per_5_minutes    = 0
    table_latency_ms                     = 100
    table_capacity_percent_of_limit      = 80
    site_5xx_percent                     = 5
    site_4xx_percent                     = 15
    site_requests_band_width             = 3
    canary_success_percent               = 90
  }
  thresholds = merge(local.default_thresholds, var.thresholds)

  # Every alarm has this shape; `metrics` are metric_query entries on one metric of the
  # catalog, `expressions` metric math or Metrics Insights queries over them (the last
  # one is the alarm's value), `schemas` the catalog metrics those queries read and the
  # dimension set they read them under (checked like `metrics`).
  base = {
    statistic           = null
    period              = 300
    evaluation_periods  = 1
    datapoints          = 1
    comparison          = "GreaterThanThreshold"
    treat_missing       = "notBreaching"
    threshold_metric_id = null
    expressions         = []
    schemas             = []
  }

  api_alarms = {
    api-5xx = merge(local.base, {
      description = "The API answered more than ${local.thresholds.api_5xx_per_minute} 5xx in one minute."
      metrics     = [{ id = "m1", metric = "apigateway.5XXError", dimensions = { ApiName = var.api.name, Stage = var.api.stage }, stat = "Sum" }]
      period      = 60
      threshold   = local.thresholds.api_5xx_per_minute
    })
    api-4xx-rate = merge(local.base, {
      description        = "More than ${local.thresholds.api_4xx_percent}% of API requests were refused (4xx) for 15 minutes: a broken client, or someone probing."
      metrics            = [{ id = "m1", metric = "apigateway.4XXError", dimensions = { ApiName = var.api.name, Stage = var.api.stage }, stat = "Average" }]
      expressions        = [{ id = "e1", expression = "100 * m1", label = "4xx %", period = null }]
      evaluation_periods = 3
      datapoints         = 3
      threshold          = local.thresholds.api_4xx_percent
    })
    api-p99-latency = merge(local.base, {
      description        = "The API's p99 latency stayed above ${local.thresholds.api_p99_latency_ms} ms for 15 minutes."
      metrics            = [{ id = "m1", metric = "apigateway.Latency", dimensions = { ApiName = var.api.name, Stage = var.api.stage }, stat = "p99" }]
      evaluation_periods = 3
      datapoints         = 3
      threshold          = local.thresholds.api_p99_latency_ms
    })
  }

  function_alarms = merge(
    { for key, fn in var.functions : "${key}-errors" => merge(local.base, {
      description = "${fn.name} failed more than ${local.thresholds.function_errors_per_5_minutes} times in 5 minutes."
      metrics     = [{ id = "m1", metric = "lambda.Errors", dimensions = { FunctionName = fn.name }, stat = "Sum" }]
      threshold   = local.thresholds.function_errors_per_5_minutes
    }) },
    { for key, fn in var.functions : "${key}-throttles" => merge(local.base, {
      description = "${fn.name} was throttled more than ${local.thresholds.function_throttles_per_5_minutes} times in 5 minutes (concurrency limit reached)."
      metrics     = [{ id = "m1", metric = "lambda.Throttles", dimensions = { FunctionName = fn.name }, stat = "Sum" }]
      threshold   = local.thresholds.function_throttles_per_5_minutes
    }) },
    { for key, fn in var.functions : "${key}-duration" => merge(local.base, {
      description        = "${fn.name}'s p99 duration stayed above ${local.thresholds.function_duration_percent_of_timeout}% of its ${fn.timeout} s timeout for 15 minutes."
      metrics            = [{ id = "m1", metric = "lambda.Duration", dimensions = { FunctionName = fn.name }, stat = "p99" }]
      evaluation_periods = 3
      datapoints         = 3
      threshold          = fn.timeout * 1000 * local.thresholds.function_duration_percent_of_timeout / 100
    }) },
  )

  queue_alarms = merge(
    { for key, q in var.queues : "${key}-oldest-message" => merge(local.base, {
      description = "A message waited in ${q.name} more than ${local.thresholds.queue_oldest_message_seconds} s${length(q.consumers) > 0 ? ": ${join(", ", q.consumers)} is falling behind or failing" : ""}."
      metrics     = [{ id = "m1", metric = "sqs.ApproximateAgeOfOldestMessage", dimensions = { QueueName = q.name }, stat = "Maximum" }]
      threshold   = local.thresholds.queue_oldest_message_seconds
    }) },
    { for key, queue_name in var.dead_letter_queues : "${key}-dlq" => merge(local.base, {
      description = "Messages are waiting in ${queue_name}: something failed for good."
      metrics     = [{ id = "m1", metric = "sqs.ApproximateNumberOfMessagesVisible", dimensions = { QueueName = queue_name }, stat = "Maximum" }]
      threshold   = 0
    }) },
  )

  # A table and each of its GSIs: throttle events are published per table and per index.
  table_targets = merge(
    { for key, t in var.tables : key => { table = t.name, on_demand = t.on_demand, dimensions = { TableName = t.name }, label = t.name } },
    merge([for key, t in var.tables : {
      for index in t.indexes : "${key}-${index}" => {
        table      = t.name
        on_demand  = t.on_demand
        dimensions = { TableName = t.name, GlobalSecondaryIndexName = index }
        label      = "${t.name} index ${index}"
      }
    }]...),
  )

  # ThrottledRequests, SystemErrors and SuccessfulRequestLatency exist only per
  # TableName + Operation: a Metrics Insights query aggregates every operation.
  per_operation = {
    throttled-requests = { metric = "ThrottledRequests", function = "SUM", threshold = local.thresholds.table_throttle_events_per_5_minutes, evaluation_periods = 1, what = "requests were throttled" }
    system-errors      = { metric = "SystemErrors", function = "SUM", threshold = local.thresholds.table_system_errors_per_5_minutes, evaluation_periods = 1, what = "requests failed with a DynamoDB 5xx" }
    latency            = { metric = "SuccessfulRequestLatency", function = "AVG", threshold = local.thresholds.table_latency_ms, evaluation_periods = 3, what = "requests took longer on average (ms) for 15 minutes" }
  }

  table_alarms = merge(
    merge([for kind in ["read", "write"] : {
      for key, target in local.table_targets : "${key}-${kind}-throttles" => merge(local.base, {
        description = "${title(kind)}s to ${target.label} were throttled more than ${local.thresholds.table_throttle_events_per_5_minutes} times in 5 minutes."
        metrics     = [{ id = "m1", metric = "dynamodb.${title(kind)}ThrottleEvents", dimensions = target.dimensions, stat = "Sum" }]
        threshold   = local.thresholds.table_throttle_events_per_5_minutes
      })
    }]...),
    merge([for suffix, op in local.per_operation : {
      for key, t in var.tables : "${key}-${suffix}" => merge(local.base, {
        description        = "More than ${op.threshold} ${t.name} ${op.what} (every operation)."
        metrics            = []
        expressions        = [{ id = "q1", expression = "SELECT ${op.function}(${op.metric}) FROM SCHEMA(\"AWS/DynamoDB\", Operation, TableName) WHERE TableName = '${t.name}'", label = "${t.name} ${op.metric}", period = 300 }]
        schemas            = [{ metric = "dynamodb.${op.metric}", dimensions = ["Operation", "TableName"] }]
        evaluation_periods = op.evaluation_periods
        datapoints         = op.evaluation_periods
        threshold          = op.threshold
      })
    }]...),
    # On-demand capacity is capped per table and per GSI by the account's table-level quota.
    merge([for kind in ["read", "write"] : {
      for key, target in local.table_targets : "${key}-${kind}-capacity" => merge(local.base, {
        description = "${target.label} used more than ${local.thresholds.table_capacity_percent_of_limit}% of the account's per-table ${kind} quota (on-demand)."
        metrics = [
          { id = "m1", metric = "dynamodb.Consumed${title(kind)}CapacityUnits", dimensions = target.dimensions, stat = "Sum" },
          { id = "m2", metric = "dynamodb.AccountMaxTableLevel${title(kind)}s", dimensions = {}, stat = "Maximum" },
        ]
        expressions = [{ id = "e1", expression = "100 * (m1 / 60) / m2", label = "% of the ${kind} quota", period = null }]
        period      = 60
        threshold   = local.thresholds.table_capacity_percent_of_limit
      }) if target.on_demand
    }]...),
  )

  site_dimensions = { DistributionId = var.site.distribution_id, Region = "Global" }
  site_alarms = { for key, alarm in {
    site-5xx-rate = merge(local.base, {
      description = "More than ${local.thresholds.site_5xx_percent}% of storefront requests failed with a 5xx."
      metrics     = [{ id = "m1", metric = "cloudfront.5xxErrorRate", dimensions = local.site_dimensions, stat = "Average" }]
      threshold   = local.thresholds.site_5xx_percent
    })
    site-4xx-rate = merge(local.base, {
      description        = "More than ${local.thresholds.site_4xx_percent}% of storefront requests were refused (4xx) for 15 minutes: broken links, or someone probing."
      metrics            = [{ id = "m1", metric = "cloudfront.4xxErrorRate", dimensions = local.site_dimensions, stat = "Average" }]
      evaluation_periods = 3
      datapoints         = 3
      threshold          = local.thresholds.site_4xx_percent
    })
    site-requests-anomaly = merge(local.base, {
      description         = "The number of users trying to reach the storefront left its usual band (${local.thresholds.site_requests_band_width} standard deviations) for 15 minutes: an outage upstream, a DNS problem, or a flood."
      metrics             = [{ id = "m1", metric = "cloudfront.Requests", dimensions = local.site_dimensions, stat = "Sum" }]
      expressions         = [{ id = "band", expression = "ANOMALY_DETECTION_BAND(m1, ${local.thresholds.site_requests_band_width})", label = "usual requests", period = null }]
      comparison          = "LessThanLowerOrGreaterThanUpperThreshold"
      threshold_metric_id = "band"
      evaluation_periods  = 3
      datapoints          = 3
      threshold           = null
    })
  } : key => alarm if var.site.enabled }

  canary_alarms = { for key, alarm in {
    canary-failed = merge(local.base, {
      description = "The synthetic check ${coalesce(var.canary_name, "none")} succeeded in fewer than ${local.thresholds.canary_success_percent}% of its runs (no run at all counts as a failure)."
      metrics     = [{ id = "m1", metric = "synthetics.SuccessPercent", dimensions = { CanaryName = coalesce(var.canary_name, "none") }, stat = "Average" }]
      comparison  = "LessThanThreshold"
      threshold   = local.thresholds.canary_success_percent
      # A canary that stopped running is down too.
      treat_missing = "breaching"
    })
  } : key => alarm if var.canary_name != null }

  extra_alarms = { for key, a in var.extra_alarms : key => merge(local.base, {
    description        = a.description
    metrics            = [{ id = "m1", metric = a.metric, dimensions = a.dimensions, stat = coalesce(a.statistic, try(local.catalog[a.metric].statistic, "Sum")) }]
    period             = a.period
    evaluation_periods = a.evaluation_periods
    datapoints         = a.evaluation_periods
    comparison         = a.comparison
    threshold          = a.threshold
  }) }

  alarms = merge(local.api_alarms, local.function_alarms, local.queue_alarms, local.table_alarms, local.site_alarms, local.canary_alarms, local.extra_alarms)
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  comparison_operator = each.value.comparison
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints
  threshold           = each.value.threshold
  threshold_metric_id = each.value.threshold_metric_id
  treat_missing_data  = each.value.treat_missing
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
  tags                = var.tags

  dynamic "metric_query" {
    for_each = each.value.metrics
    content {
      id = metric_query.value.id
      # Without an expression the metric is the alarm's value; an anomaly band needs both.
      return_data = length(each.value.expressions) == 0 || each.value.threshold_metric_id != null

      metric {
        namespace   = try(local.catalog[metric_query.value.metric].namespace, metric_query.value.metric)
        metric_name = try(local.catalog[metric_query.value.metric].metric_name, metric_query.value.metric)
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.stat
        period      = each.value.period
      }
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expressions
    content {
      id          = metric_query.value.id
      expression  = metric_query.value.expression
      label       = metric_query.value.label
      period      = metric_query.value.period
      return_data = true
    }
  }

  lifecycle {
    precondition {
      condition = alltrue(concat(
        [for m in each.value.metrics : contains(keys(local.catalog), m.metric) && contains(
          [for set in try(local.catalog[m.metric].dimension_sets, []) : join(",", set)], join(",", sort(keys(m.dimensions)))
        )],
        [for s in each.value.schemas : contains(keys(local.catalog), s.metric) && contains(
          [for set in try(local.catalog[s.metric].dimension_sets, []) : join(",", set)], join(",", sort(s.dimensions))
        )],
      ))
      error_message = "Alarm ${each.key} asks for ${jsonencode({ for m in concat(each.value.metrics, each.value.schemas) : m.metric => try(sort(keys(m.dimensions)), sort(m.dimensions)) })}, but AWS publishes ${jsonencode({ for m in concat(each.value.metrics, each.value.schemas) : m.metric => try(local.catalog[m.metric].dimension_sets, "nothing: not in metrics.json") })} (metrics.json, from src/woocom/ops/metrics.py): an alarm on an unpublished dimension set never fires."
    }
  }
}
