output "topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "alarm_names" {
  description = "Every alarm's name, by what it watches (api_5xx, <function>-errors, <queue>-dlq, ...)."
  value       = { for key, alarm in aws_cloudwatch_metric_alarm.this : key => alarm.alarm_name }
}
