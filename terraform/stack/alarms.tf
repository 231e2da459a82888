# Operations of the stack: alarms derived from stack.yaml's resources, where they go,
# the dashboard and the saved log queries (terraform/modules/alarms, README "operations").

module "alarms" {
  source = "../modules/alarms"

  name   = local.name_prefix
  region = var.region
  api    = { name = module.api.api_name, stage = module.api.stage_name }
  functions = { for name, fn in local.functions : name => {
    name      = module.function[name].function_name
    timeout   = fn.timeout
    log_group = module.function[name].log_group_name
  } }
  queues = { for name, q in local.queues : name => {
    name      = module.data.queues[name].name
    consumers = [for fn, t in local.triggers : fn if contains([for s in t.sqs : s.queue], name)]
  } }
  # Keys from stack.yaml and plan-time flags: for_each keys must be known before apply.
  dead_letter_queues = merge(
    { for name, q in local.queues : name => module.data.queues[name].dlq_name if q.dlq != null },
    { for name, fn in module.function : "${name}-async" => fn.dlq_name if fn.asynchronous },
  )
  tables = { for name, t in local.tables : name => {
    name      = module.data.tables[name].name
    indexes   = keys(t.indexes)
    on_demand = t.billing_mode == "PAY_PER_REQUEST"
  } }
  site        = { enabled = var.enable_cdn, distribution_id = var.enable_cdn ? module.site[0].distribution_id : null }
  canary_name = var.canary_name != null ? var.canary_name : local.canary_name # canary.tf
  thresholds  = var.alarm_thresholds

  alarm_emails             = var.alarm_emails
  slack_channel            = var.alarm_slack_channel
  https_endpoint           = var.alarm_https_endpoint
  require_subscriber       = var.environment == "production"
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = local.tags
}

output "dashboard_url" {
  description = "CloudWatch dashboard of the stack (alarms, API, each function, queue, table, the site and the canary)."
  value       = module.alarms.dashboard_url
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each confirms once by email)."
  default     = []

  # Production refuses to deploy when nobody would receive its alarms.
  validation {
    condition     = var.environment != "production" || length(var.alarm_emails) > 0 || var.alarm_slack_channel != null || nonsensitive(var.alarm_https_endpoint != null)
    error_message = "production needs at least one alarm subscriber: set alarm_emails or alarm_slack_channel in terraform/envs/production.tfvars, or TF_VAR_alarm_https_endpoint (PagerDuty/Opsgenie) in the deploy environment."
  }
}

variable "alarm_slack_channel" {
  type = object({
    workspace_id = string
    channel_id   = string
  })
  description = "Slack channel notified through AWS Chatbot ({workspace_id = \"T...\", channel_id = \"C...\"}); the workspace is authorized once in the Chatbot console. null for none."
  default     = null
}

variable "alarm_https_endpoint" {
  type        = string
  description = "PagerDuty/Opsgenie SNS integration URL. It holds a key: set TF_VAR_alarm_https_endpoint from the CI secret store, never in a tfvars file."
  default     = null
  sensitive   = true
}

variable "alarm_thresholds" {
  type        = map(number)
  description = "Per-environment overrides of the alarm thresholds by name (terraform/modules/alarms/README.md lists names and defaults)."
  default     = {}
}

variable "canary_name" {
  type        = string
  description = "CloudWatch Synthetics canary whose failed runs alarm; null for none (the canary module passes its name)."
  default     = null
}
