output "topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Every alarm's name, by what it watches (api_5xx, <function>-errors, <queue>-dlq, ...)."
  value = merge(
    { api_5xx = aws_cloudwatch_metric_alarm.api_5xx.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.function_errors : "${k}-errors" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.function_throttles : "${k}-throttles" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.dlq_messages : "${k}-dlq" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.table_throttles : "${k}-table-throttles" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.table_system_errors : "${k}-table-system-errors" => a.alarm_name },
    { for k, a in aws_cloudwatch_metric_alarm.site_5xx : "site-5xx" => a.alarm_name },
  )
}
