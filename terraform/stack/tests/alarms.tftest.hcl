# Alarms, routing, dashboard and saved queries derived from stack.yaml, checked
# against a mocked hashicorp/aws. Expected alarms are computed from stack.yaml too,
# so adding a function, queue, table or index needs no change here.
# A run is `command = plan` when every value its assertions read is known at plan (no
# apply: about half the time); the others read what the mocks only fill in at apply.

mock_provider "aws" {}

# CLOUDFRONT web ACLs (edge.tf) come from the us-east-1 alias; the site module checks the ARN's form.
mock_provider "aws" {
  alias = "us_east_1"

  mock_resource "aws_wafv2_web_acl" {
    defaults = {
      arn = "arn:aws:wafv2:us-east-1:222222222222:global/webacl/woocom-staging-site/0a1b2c3d"
    }
  }
}

variables {
  environment = "staging"
  git_sha     = "0123abc"
}

run "every_resource_of_the_stack_has_its_alarms" {
  command = plan
  assert {
    condition = toset(keys(module.alarms.alarm_names)) == toset(concat(
      ["api-5xx", "api-4xx-rate", "api-p99-latency", "site-5xx-rate", "site-4xx-rate", "site-requests-anomaly"],
      ["canary-failed"], # the render-check canary of canary.tf, on by default for staging
      flatten([for fn in keys(local.stack.functions) : ["${fn}-errors", "${fn}-throttles", "${fn}-duration"]]),
      [for q in keys(local.stack.queues) : "${q}-oldest-message"],
      [for q, queue in local.stack.queues : "${q}-dlq" if try(queue.dlq, null) != null],
      [for fn, f in module.function : "${fn}-async-dlq" if f.asynchronous],
      flatten([for t, table in local.stack.tables : concat(
        ["${t}-throttled-requests", "${t}-system-errors", "${t}-latency"],
        flatten([for target in concat([t], [for i in keys(try(table.indexes, {})) : "${t}-${i}"]) : [
          "${target}-read-throttles", "${target}-write-throttles", "${target}-read-capacity", "${target}-write-capacity",
        ]]),
      )]),
    ))
    error_message = "alarms: API (5xx, 4xx rate, p99), each function (errors, throttles, duration), each queue and DLQ, each table and GSI, the site, the canary; got ${jsonencode(keys(module.alarms.alarm_names))}"
  }
  assert {
    condition     = alltrue([for key, name in module.alarms.alarm_names : name == "woocom-staging-${key}"])
    error_message = "alarm names must be <stack>-<workspace>-<what it watches>"
  }
  # Not a count of the sample stack's alarms (adding a function would break it): that the
  # expected set above is not vacuous, with one alarm of each kind of the sample stack.
  assert {
    condition = length(setsubtract(
      ["api-5xx", "catalog_api-errors", "orders-oldest-message", "orders-dlq", "main-latency", "main-gsi1-read-throttles"],
      keys(module.alarms.alarm_names),
    )) == 0
    error_message = "the sample stack's API, function, queue, DLQ, table and index alarms must exist; got ${jsonencode(keys(module.alarms.alarm_names))}"
  }
}

# The bug of issue 14: ThrottledRequests and SystemErrors alarmed on TableName alone,
# a series AWS never publishes (it publishes them per TableName + Operation).
run "dynamodb_request_metrics_are_read_per_operation" {
  command = plan
  assert {
    condition = alltrue([for kind in ["throttled-requests", "system-errors", "latency"] :
      length(module.alarms.alarms["main-${kind}"].metrics) == 0
      && module.alarms.alarms["main-${kind}"].schemas[0].dimensions == ["Operation", "TableName"]
      && strcontains(module.alarms.alarms["main-${kind}"].expression, "FROM SCHEMA(\"AWS/DynamoDB\", Operation, TableName) WHERE TableName = '${module.data.tables["main"].name}'")
    ])
    error_message = "table request alarms must query every operation of the table (Metrics Insights over TableName + Operation)"
  }
  assert {
    condition     = startswith(module.alarms.alarms["main-throttled-requests"].expression, "SELECT SUM(ThrottledRequests)") && startswith(module.alarms.alarms["main-system-errors"].expression, "SELECT SUM(SystemErrors)")
    error_message = "throttled requests and system errors are summed over operations"
  }
  assert {
    condition     = module.alarms.alarms["main-system-errors"].threshold == 0 && module.alarms.alarms["main-latency"].threshold == 100
    error_message = "any system error alarms; latency above 100 ms on average"
  }
  assert {
    condition     = alltrue([for a in values(module.alarms.alarms) : alltrue([for m in a.metrics : !(startswith(m.metric, "dynamodb.") && contains(["ThrottledRequests", "SystemErrors", "SuccessfulRequestLatency"], split(".", m.metric)[1]))])])
    error_message = "no alarm may read a per-operation DynamoDB metric as a plain metric"
  }
}

run "throttle_events_and_capacity_cover_the_table_and_each_index" {
  command = plan
  assert {
    condition     = module.alarms.alarms["main-read-throttles"].metrics[0] == { metric = "dynamodb.ReadThrottleEvents", dimensions = { TableName = module.data.tables["main"].name }, stat = "Sum" }
    error_message = "read throttle events of the table, per TableName"
  }
  assert {
    condition = alltrue([for i in keys(local.stack.tables.main.indexes) :
      module.alarms.alarms["main-${i}-write-throttles"].metrics[0].dimensions == { TableName = module.data.tables["main"].name, GlobalSecondaryIndexName = i }
    ])
    error_message = "each GSI's throttle events, per TableName + GlobalSecondaryIndexName"
  }
  assert {
    condition = (
      [for m in module.alarms.alarms["main-read-capacity"].metrics : m.metric] == ["dynamodb.ConsumedReadCapacityUnits", "dynamodb.AccountMaxTableLevelReads"]
      && module.alarms.alarms["main-read-capacity"].metrics[1].dimensions == {}
      && module.alarms.alarms["main-read-capacity"].expression == "100 * (m1 / 60) / m2"
      && module.alarms.alarms["main-read-capacity"].threshold == 80
    )
    error_message = "on-demand consumption is compared per second with the account's per-table quota (80% by default)"
  }
}

run "api_alarms" {
  command = plan
  assert {
    condition = (
      module.alarms.alarms["api-5xx"].metrics[0] == { metric = "apigateway.5XXError", dimensions = { ApiName = module.api.api_name, Stage = module.api.stage_name }, stat = "Sum" }
      && module.alarms.alarms["api-5xx"].threshold == 150 && module.alarms.alarms["api-5xx"].period == 60
    )
    error_message = "the API 5xx alarm counts 5XXError per ApiName + Stage and fires above 150 per minute by default"
  }
  assert {
    condition     = module.alarms.alarms["api-4xx-rate"].expression == "100 * m1" && module.alarms.alarms["api-4xx-rate"].metrics[0].stat == "Average" && module.alarms.alarms["api-4xx-rate"].threshold == 10
    error_message = "the 4xx rate is 4XXError's average in percent, alarmed above 10%"
  }
  assert {
    condition     = module.alarms.alarms["api-p99-latency"].metrics[0].stat == "p99" && module.alarms.alarms["api-p99-latency"].threshold == 3000
    error_message = "API latency is alarmed on its p99"
  }
}

run "function_alarms_follow_each_function" {
  command = plan
  assert {
    condition = alltrue([for name, fn in local.stack.functions :
      module.alarms.alarms["${name}-duration"].threshold == try(fn.timeout, local.stack.defaults.timeout) * 800
      && module.alarms.alarms["${name}-duration"].metrics[0] == { metric = "lambda.Duration", dimensions = { FunctionName = "woocom-staging-${name}" }, stat = "p99" }
    ])
    error_message = "each function's p99 duration alarms at 80% of its own timeout (ms)"
  }
  assert {
    condition = alltrue([for name in keys(local.stack.functions) :
      module.alarms.alarms["${name}-errors"].metrics[0].dimensions == { FunctionName = "woocom-staging-${name}" }
      && module.alarms.alarms["${name}-errors"].threshold == 5
      && module.alarms.alarms["${name}-throttles"].metrics[0].metric == "lambda.Throttles"
    ])
    error_message = "errors (above 5 in 5 minutes) and throttles per FunctionName"
  }
}

run "queue_alarms_name_the_consumer" {
  command = plan
  assert {
    condition = (
      module.alarms.alarms["orders-oldest-message"].metrics[0] == { metric = "sqs.ApproximateAgeOfOldestMessage", dimensions = { QueueName = module.data.queues["orders"].name }, stat = "Maximum" }
      && module.alarms.alarms["orders-oldest-message"].threshold == 900
      && strcontains(module.alarms.alarms["orders-oldest-message"].description, "order_worker")
    )
    error_message = "the orders queue's age alarm watches its oldest message and names its consumer (order_worker's SQS trigger)"
  }
  assert {
    condition     = module.alarms.alarms["orders-dlq"].metrics[0].dimensions == { QueueName = module.data.queues["orders"].dlq_name } && module.alarms.alarms["orders-dlq"].threshold == 0
    error_message = "a dead-letter queue alarms on its first message"
  }
}

run "site_alarms_watch_the_distribution_in_us_east_1_terms" {
  assert {
    condition     = module.alarms.alarms["site-5xx-rate"].metrics[0].dimensions == { DistributionId = output.distribution_id, Region = "Global" }
    error_message = "CloudFront metrics are published per DistributionId + Region=Global"
  }
  assert {
    condition = (
      module.alarms.alarms["site-requests-anomaly"].expression == "ANOMALY_DETECTION_BAND(m1, 3)"
      && module.alarms.alarms["site-requests-anomaly"].comparison == "LessThanLowerOrGreaterThanUpperThreshold"
      && module.alarms.alarms["site-requests-anomaly"].metrics[0].metric == "cloudfront.Requests"
    )
    error_message = "users reaching the frontend are watched with an anomaly band on Requests"
  }
}

run "every_alarm_notifies_the_topic_on_alarm_and_on_ok" {
  assert {
    condition     = alltrue([for a in values(module.alarms.alarms) : a.actions == tolist([module.alarms.topic_arn]) && a.ok_actions == tolist([module.alarms.topic_arn])])
    error_message = "every alarm must notify the stack's topic when it fires and when it recovers"
  }
  assert {
    condition     = output.alarm_topic_arn == module.alarms.topic_arn
    error_message = "the topic is a stack output"
  }
}

run "thresholds_are_overridable_per_environment" {
  command = plan
  variables {
    alarm_thresholds = { api_5xx_per_minute = 300, function_duration_percent_of_timeout = 50 }
  }
  assert {
    condition     = module.alarms.alarms["api-5xx"].threshold == 300 && module.alarms.alarms["order_worker-duration"].threshold == 15000
    error_message = "alarm_thresholds overrides the defaults"
  }
}

run "an_unknown_threshold_name_is_refused" {
  command = plan
  module {
    source = "../modules/alarms"
  }
  variables {
    name       = "woocom-test"
    api        = { name = "woocom-test", stage = "api" }
    thresholds = { api_5xx_per_mnute = 300 }
  }
  expect_failures = [var.thresholds]
}

run "production_refuses_to_deploy_without_a_subscriber" {
  command = plan
  variables {
    environment  = "production"
    alarm_emails = []
  }
  expect_failures = [var.alarm_emails]
}

run "production_with_an_on_call_address" {
  command = plan
  variables {
    environment  = "production"
    alarm_emails = ["oncall@example.com"]
  }
  assert {
    condition     = module.alarms.subscriptions.emails == ["oncall@example.com"]
    error_message = "the on-call address is subscribed to the topic"
  }
}

run "a_canary_name_adds_its_failed_runs_alarm" {
  command = plan
  variables {
    canary_name = "woocom-staging-storefront"
  }
  assert {
    condition = (
      module.alarms.alarms["canary-failed"].metrics[0] == { metric = "synthetics.SuccessPercent", dimensions = { CanaryName = "woocom-staging-storefront" }, stat = "Average" }
      && module.alarms.alarms["canary-failed"].comparison == "LessThanThreshold"
      && module.alarms.alarms["canary-failed"].threshold == 90
      && module.alarms.alarms["canary-failed"].missing == "breaching"
    )
    error_message = "the canary alarms when fewer than 90% of its runs succeed, or when it stops running"
  }
  assert {
    condition     = contains(module.alarms.dashboard_widgets, "canary woocom-staging-storefront: success (%)")
    error_message = "the dashboard shows the canary"
  }
}

run "without_cdn_no_site_alarms" {
  command = plan
  variables {
    environment        = "localstack"
    enable_cdn         = false
    endpoint_overrides = { for s in ["apigateway", "dynamodb", "s3", "sqs", "lambda", "iam", "logs", "events", "sts"] : s => "http://localhost:4566" }
  }
  assert {
    condition     = length([for key in keys(module.alarms.alarm_names) : key if startswith(key, "site-")]) == 0
    error_message = "no site alarm without a distribution"
  }
}

run "dashboard_has_a_row_per_resource" {
  command = plan
  assert {
    condition     = output.dashboard_url == "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/woocom-staging"
    error_message = "the dashboard URL is a stack output"
  }
  assert {
    condition = alltrue(concat(
      [for fn in keys(local.stack.functions) : contains(module.alarms.dashboard_widgets, "${fn}: invocations, errors, throttles")],
      [for q in keys(local.stack.queues) : contains(module.alarms.dashboard_widgets, "queue ${q}: backlog")],
      [for t in keys(local.stack.tables) : contains(module.alarms.dashboard_widgets, "table ${t}: consumed capacity")],
      [contains(module.alarms.dashboard_widgets, "API requests and errors"), contains(module.alarms.dashboard_widgets, "storefront: requests (users reaching the site)"), contains(module.alarms.dashboard_widgets, "Alarms")],
    ))
    error_message = "the dashboard has the alarms, the API, a row per function, queue and table, and the site; got ${jsonencode(module.alarms.dashboard_widgets)}"
  }
}

run "saved_queries_cover_every_function_log_group" {
  command = plan
  assert {
    condition     = module.alarms.query_names == { for q in ["errors-by-function", "request-by-correlation-id", "slowest-requests", "admin-actions"] : q => "woocom-staging/${q}" }
    error_message = "the four saved Logs Insights queries exist under <stack>-<workspace>/"
  }
  assert {
    condition     = toset(module.alarms.query_log_groups) == toset([for fn in module.function : fn.log_group_name])
    error_message = "the saved queries search every function's log group"
  }
}

# The module alone: routing and the refusal of alarms on unpublished dimensions.
run "slack_and_pagerduty_routing" {
  module {
    source = "../modules/alarms"
  }
  variables {
    name                     = "woocom-test"
    region                   = "eu-west-1"
    api                      = { name = "woocom-test", stage = "api" }
    slack_channel            = { workspace_id = "T0123ABCD", channel_id = "C0456EFGH" }
    https_endpoint           = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/woocom-boundary-staging"
  }
  assert {
    condition     = aws_chatbot_slack_channel_configuration.this[0].sns_topic_arns == tolist([aws_sns_topic.this.arn]) && aws_chatbot_slack_channel_configuration.this[0].slack_channel_id == "C0456EFGH"
    error_message = "the Slack channel is subscribed to the topic through AWS Chatbot"
  }
  assert {
    condition     = aws_chatbot_slack_channel_configuration.this[0].guardrail_policy_arns == tolist(["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"])
    error_message = "the channel may only read CloudWatch"
  }
  assert {
    condition     = aws_iam_role.chatbot[0].permissions_boundary == "arn:aws:iam::123456789012:policy/woocom-boundary-staging"
    error_message = "the channel's role carries the stack's permissions boundary: no deploy identity may create it without"
  }
  assert {
    condition = (
      jsondecode(aws_iam_role_policy.chatbot[0].policy).Statement[0].Action == ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
      && jsondecode(aws_iam_role_policy.chatbot[0].policy).Statement[0].Resource == "arn:aws:cloudwatch:eu-west-1:${data.aws_caller_identity.current.account_id}:alarm:woocom-test-*"
      && jsondecode(aws_iam_role_policy.chatbot[0].policy).Statement[1].Action == ["cloudwatch:GetMetricWidgetImage", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"]
      && length(jsondecode(aws_iam_role_policy.chatbot[0].policy).Statement) == 2
    )
    error_message = "the channel's role reads this stack's alarms and draws metrics, with named actions only"
  }
  assert {
    condition     = aws_sns_topic_subscription.https[0].protocol == "https" && aws_sns_topic_subscription.https[0].topic_arn == aws_sns_topic.this.arn
    error_message = "the HTTPS endpoint (PagerDuty/Opsgenie) is subscribed to the topic"
  }
  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == aws_kms_key.topic.arn && aws_kms_key.topic.enable_key_rotation
    error_message = "the alarm topic must be encrypted with its own rotating key: CloudWatch cannot publish under alias/aws/sns"
  }
  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/woocom-test"
    error_message = "the dashboard URL names the stack's region"
  }
}

run "the_module_refuses_no_subscriber_when_required" {
  command = plan
  module {
    source = "../modules/alarms"
  }
  variables {
    name               = "woocom-test"
    api                = { name = "woocom-test", stage = "api" }
    require_subscriber = true
  }
  expect_failures = [aws_sns_topic.this]
}

run "an_alarm_on_unpublished_dimensions_is_refused" {
  command = plan
  module {
    source = "../modules/alarms"
  }
  variables {
    name = "woocom-test"
    api  = { name = "woocom-test", stage = "api" }
    extra_alarms = {
      table-throttles = {
        description = "what the old module did: ThrottledRequests per TableName alone"
        metric      = "dynamodb.ThrottledRequests"
        dimensions  = { TableName = "woocom-test-main" }
        threshold   = 0
      }
    }
  }
  expect_failures = [aws_cloudwatch_metric_alarm.this]
}

run "an_alarm_on_published_dimensions_is_accepted" {
  command = plan
  module {
    source = "../modules/alarms"
  }
  variables {
    name = "woocom-test"
    api  = { name = "woocom-test", stage = "api" }
    extra_alarms = {
      main-read-throttle-events = {
        description = "ReadThrottleEvents per table"
        metric      = "dynamodb.ReadThrottleEvents"
        dimensions  = { TableName = "woocom-test-main" }
        threshold   = 10
      }
    }
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["main-read-throttle-events"].threshold == 10
    error_message = "an extra alarm on a published dimension set is created"
  }
}
