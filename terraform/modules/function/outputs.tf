output "function_name" {
  description = "Name of the Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function (S3 notifications target it)."
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's own execution role."
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "asynchronous" {
  description = "Whether the function has asynchronous triggers, hence a DLQ (known at plan time)."
  value       = local.asynchronous
}

output "dlq_name" {
  description = "Queue that receives failed asynchronous invocations (null without async triggers)."
  value       = try(aws_sqs_queue.async_dlq["dlq"].name, null)
}

output "integration_ids" {
  description = "API integrations by route; the API deployment is redone when they change."
  value       = { for route, integration in aws_api_gateway_integration.this : route => integration.id }
}

output "s3_permission_ids" {
  description = "Invoke permissions for S3 by bucket; bucket notifications wait for them."
  value       = { for bucket, permission in aws_lambda_permission.s3 : bucket => permission.id }
}

output "handler" {
  description = "Handler string of the function."
  value       = aws_lambda_function.this.handler
}

output "environment" {
  description = "Environment variables the function receives."
  value       = var.environment
}

output "policy" {
  description = "The role's only policy (JSON): the declared permissions, its logs and its DLQ."
  value       = aws_iam_role_policy.this.policy
}

output "routes" {
  description = "API routes wired to the function: \"METHOD /path\" => {method, authorization}."
  value = {
    for route, method in aws_api_gateway_method.this : route => {
      method        = method.http_method
      authorization = method.authorization
    }
  }
}

output "schedules" {
  description = "Schedule expressions by index, with the rule that fires each."
  value = {
    for key, rule in aws_cloudwatch_event_rule.this : key => {
      expression = rule.schedule_expression
      state      = rule.state
      target     = aws_cloudwatch_event_target.this[key].arn
    }
  }
}

output "sqs_mappings" {
  description = "SQS event source mappings by queue: batch size, window, response types."
  value = {
    for queue, mapping in aws_lambda_event_source_mapping.this : queue => {
      event_source_arn        = mapping.event_source_arn
      batch_size              = mapping.batch_size
      batching_window         = mapping.maximum_batching_window_in_seconds
      function_response_types = mapping.function_response_types
    }
  }
}

output "permissions_boundary_arn" {
  description = "Permissions boundary of the execution role (null when none)."
  value       = aws_iam_role.this.permissions_boundary
}

output "settings" {
  description = "Settings as deployed: runtime, architecture, memory, timeout, reserved_concurrency, log_retention_days."
  value = {
    runtime              = aws_lambda_function.this.runtime
    architecture         = aws_lambda_function.this.architectures[0]
    memory               = aws_lambda_function.this.memory_size
    timeout              = aws_lambda_function.this.timeout
    reserved_concurrency = var.reserved_concurrency == null ? null : aws_lambda_function.this.reserved_concurrent_executions
    log_retention_days   = aws_cloudwatch_log_group.this.retention_in_days
  }
}
