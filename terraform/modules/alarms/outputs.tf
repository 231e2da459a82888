output "topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Every alarm's name, by what it watches (api-5xx, <function>-errors, <queue>-dlq, <table>-<index>-read-throttles, ...)."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}

output "alarms" {
  description = "Every alarm, by what it watches: {name, description, metrics (metric, dimensions, stat), expression, threshold, comparison, period, actions}."
  value = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => {
    name        = alarm.alarm_name
    description = alarm.alarm_description
    metrics     = [for m in local.alarms[key].metrics : { metric = m.metric, dimensions = m.dimensions, stat = m.stat }]
    schemas     = local.alarms[key].schemas
    expression  = try(local.alarms[key].expressions[length(local.alarms[key].expressions) - 1].expression, null)
    threshold   = alarm.threshold
    comparison  = alarm.comparison_operator
    period      = local.alarms[key].period
    missing     = alarm.treat_missing_data
    actions     = alarm.alarm_actions
    ok_actions  = alarm.ok_actions
  } }
}

output "subscriptions" {
  description = "Who the topic reaches: {emails, https (bool), slack_channel_id}."
  value = {
    emails           = [for s in aws_sns_topic_subscription.email : s.endpoint]
    https            = length(aws_sns_topic_subscription.https) > 0
    slack_channel_id = try(aws_chatbot_slack_channel_configuration.this[0].slack_channel_id, null)
  }
}

output "dashboard_url" {
  description = "Console URL of the stack's CloudWatch dashboard."
  value       = "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "dashboard_widgets" {
  description = "Titles of the dashboard's widgets, in order (for tests and reviews)."
  value       = [for w in local.widgets : try(w.properties.title, w.type)]
}

output "query_names" {
  description = "Saved Logs Insights queries by key (errors-by-function, request-by-correlation-id, slowest-requests, admin-actions)."
  value       = { for key, q in aws_cloudwatch_query_definition.this : key => q.name }
}

output "query_log_groups" {
  description = "Log groups the saved queries search (every function's)."
  value       = local.log_groups
}
