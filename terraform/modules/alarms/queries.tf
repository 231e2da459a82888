# Saved CloudWatch Logs Insights queries over every function's log group, under
# "<prefix>/" in the console. The functions log one JSON object per line
# (functions/storefront/logs.py), so fields such as level, function, correlation_id
# and duration_ms are discovered without parsing.

locals {
  log_groups = sort([for fn in var.functions : fn.log_group])

  queries = {
    errors-by-function        = <<-EOT
      fields @timestamp, function, message, correlation_id, @log
      | filter level = "ERROR" or @message like /Task timed out/
      | stats count(*) as errors by coalesce(function, @log) as source
      | sort errors desc
    EOT
    request-by-correlation-id = <<-EOT
      fields @timestamp, function, level, message, status, duration_ms
      | filter correlation_id = "PASTE-THE-ID"
      | sort @timestamp asc
    EOT
    slowest-requests          = <<-EOT
      fields @timestamp, function, correlation_id, resource, status, duration_ms
      | filter ispresent(duration_ms)
      | sort duration_ms desc
      | limit 50
    EOT
    admin-actions             = <<-EOT
      fields @timestamp, function, action, route, target.sku, target.order_id, actor_username, actor_sub, status, correlation_id
      | filter audit = "admin_action"
      | sort @timestamp desc
    EOT
  }
}

resource "aws_cloudwatch_query_definition" "this" {
  for_each = length(local.log_groups) > 0 ? local.queries : {}

  name            = "${var.name}/${each.key}"
  log_group_names = local.log_groups
  query_string    = each.value
}
