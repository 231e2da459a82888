# One Lambda, its own role with only the declared permissions, its log group,
# a DLQ for failed asynchronous invocations, and the wiring of its triggers.

locals {
  # Access level -> actions per statement, per resource kind: the one table, shared with
  # the Python tooling (woocom.access) and documented in functions/README.md.
  access = jsondecode(file("${path.module}/access.json"))

  resources = {
    table  = var.tables
    bucket = var.buckets
    queue  = var.queues
    secret = var.secrets
  }

  # IAM Sids are alphanumeric only: "order_items" -> "OrderItems".
  pascal = {
    for name in distinct(concat(keys(var.tables), keys(var.buckets), keys(var.queues), keys(var.secrets), keys(var.s3_sources))) :
    name => replace(title(replace(name, "_", " ")), " ", "")
  }

  # Only S3 and schedules invoke asynchronously: they get a DLQ.
  asynchronous = length(var.schedules) + length(var.s3_sources) > 0

  statements = concat(
    [{
      Sid      = "Logs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
    }],
    # One statement per resource and statement kind of its level: "TableMain" (the table
    # and its indexes), "BucketObjectsImports" (objects), "BucketListImports", "QueueOrders",
    # "SecretPaymentProvider".
    flatten([for kind, resources in local.resources : [
      for name, resource in resources : [
        for statement, actions in local.access[kind].levels[resource.access] : {
          Sid      = "${statement}${local.pascal[name]}"
          Effect   = "Allow"
          Action   = actions
          Resource = [for suffix in local.access[kind].statements[statement] : "${resource.arn}${suffix}"]
        }
      ]
    ]]),
    [for dlq in aws_sqs_queue.async_dlq : {
      Sid      = "AsyncFailureDestination"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = [dlq.arn]
    }],
  )
}

resource "aws_iam_role" "this" {
  name        = var.function_name
  description = "Execution role of ${var.function_name}: only the permissions declared in stack.yaml."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "declared-permissions"
  role   = aws_iam_role.this.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.statements })
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_sqs_queue" "async_dlq" {
  for_each = local.asynchronous ? { dlq = "${var.function_name}-dlq" } : {}

  name                      = each.value
  message_retention_seconds = 14 * 86400
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_lambda_function" "this" {
  function_name                  = var.function_name
  description                    = var.description
  role                           = aws_iam_role.this.arn
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = [var.architecture]
  memory_size                    = var.memory
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrency
  filename                       = var.package.filename
  source_code_hash               = var.package.source_code_hash
  tags                           = var.tags

  environment {
    variables = var.environment
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  # The policy must exist before the function runs (first SQS poll, first log line).
  depends_on = [aws_iam_role_policy.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  for_each = aws_sqs_queue.async_dlq

  function_name                = aws_lambda_function.this.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 3600

  destination_config {
    on_failure {
      destination = each.value.arn
    }
  }
}

# --- API routes: method + Lambda proxy integration + invoke permission -------------------

resource "aws_api_gateway_method" "this" {
  for_each = var.api_routes

  rest_api_id   = var.api.rest_api_id
  resource_id   = each.value.resource_id
  http_method   = each.value.method
  authorization = each.value.admin ? "COGNITO_USER_POOLS" : "NONE"
  authorizer_id = each.value.admin ? var.api.authorizer_id : null
}

resource "aws_api_gateway_integration" "this" {
  for_each = var.api_routes

  rest_api_id             = var.api.rest_api_id
  resource_id             = each.value.resource_id
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.this.invoke_arn
}

resource "aws_lambda_permission" "api" {
  for_each = length(var.api_routes) > 0 ? { api = var.api.execution_arn } : {}

  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${each.value}/*/*"
}

# --- schedules ---------------------------------------------------------------------------

resource "aws_cloudwatch_event_rule" "this" {
  for_each = var.schedules

  name                = "${var.function_name}-${each.key}"
  description         = "${each.value.expression} -> ${var.function_name}"
  schedule_expression = each.value.expression
  state               = each.value.enabled ? "ENABLED" : "DISABLED"
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = var.schedules

  rule = aws_cloudwatch_event_rule.this[each.key].name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  for_each = var.schedules

  statement_id  = "AllowSchedule${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

# --- S3 notifications (the bucket's aws_s3_bucket_notification lives in the root) --------

resource "aws_lambda_permission" "s3" {
  for_each = var.s3_sources

  statement_id  = "AllowS3${local.pascal[each.key]}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = each.value
}

# --- SQS ----------------------------------------------------------------------------------

resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.sqs_triggers

  function_name                      = aws_lambda_function.this.arn
  event_source_arn                   = each.value.queue_arn
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.batching_window
  function_response_types            = ["ReportBatchItemFailures"]
}
