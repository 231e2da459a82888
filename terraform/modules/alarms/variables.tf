variable "name" {
  type        = string
  description = "Prefix of the topic, alarm, dashboard and query names (\"<stack>-<workspace>\")."
}

variable "region" {
  type        = string
  description = "Region of the stack: the dashboard's widgets and URL (CloudFront widgets always read us-east-1)."
  default     = "us-east-1"
}

variable "api" {
  type = object({
    name  = string
    stage = string
  })
  description = "The REST API (ApiName and Stage dimensions): 5xx count, 4xx rate and p99 latency alarms."
}

variable "functions" {
  type = map(object({
    name      = string
    timeout   = number
    log_group = string
  }))
  description = "Lambda functions by stable name: errors, throttles and p99 duration near `timeout` (seconds) alarms; `log_group` feeds the saved queries."
  default     = {}
}

variable "queues" {
  type = map(object({
    name      = string
    consumers = optional(list(string), [])
  }))
  description = "SQS queues by stable name: oldest-message age alarm, naming the functions that consume it (their SQS trigger)."
  default     = {}
}

variable "dead_letter_queues" {
  type        = map(string)
  description = "Dead-letter queues by stable name: alarm as soon as one holds a message."
  default     = {}
}

variable "tables" {
  type = map(object({
    name      = string
    indexes   = optional(list(string), [])
    on_demand = optional(bool, true)
  }))
  description = "DynamoDB tables by stable name with their GSI names: throttle events (table and each GSI), system errors and latency over every operation, and, on demand, consumed capacity against the account's per-table quota."
  default     = {}
}

variable "site" {
  type = object({
    enabled         = bool
    distribution_id = string
  })
  description = "CloudFront distribution: 5xx rate, 4xx rate and a request anomaly band; `enabled` must be known at plan time. Its metrics exist only in us-east-1."
  default     = { enabled = false, distribution_id = null }
}

variable "canary_name" {
  type        = string
  description = "CloudWatch Synthetics canary whose failed runs alarm (SuccessPercent by CanaryName); null for none. Must be known at plan time (a name, not a resource attribute)."
  default     = null
}

variable "thresholds" {
  type        = map(number)
  description = "Overrides of the default thresholds, by name (see the table in this README)."
  default     = {}

  validation {
    condition = alltrue([for k in keys(var.thresholds) : contains([
      "api_5xx_per_minute", "api_4xx_percent", "api_p99_latency_ms",
      "function_errors_per_5_minutes", "function_throttles_per_5_minutes", "function_duration_percent_of_timeout",
      "queue_oldest_message_seconds",
      "table_throttle_events_per_5_minutes", "table_system_errors_per_5_minutes", "table_latency_ms", "table_capacity_percent_of_limit",
      "site_5xx_percent", "site_4xx_percent", "site_requests_band_width", "canary_success_percent",
    ], k)])
    error_message = "thresholds keys must be among api_5xx_per_minute, api_4xx_percent, api_p99_latency_ms, function_errors_per_5_minutes, function_throttles_per_5_minutes, function_duration_percent_of_timeout, queue_oldest_message_seconds, table_throttle_events_per_5_minutes, table_system_errors_per_5_minutes, table_latency_ms, table_capacity_percent_of_limit, site_5xx_percent, site_4xx_percent, site_requests_band_width, canary_success_percent."
  }
  validation {
    condition     = alltrue([for v in values(var.thresholds) : v >= 0])
    error_message = "thresholds must not be negative."
  }
  validation {
    condition     = lookup(var.thresholds, "api_5xx_per_minute", 1) >= 1
    error_message = "api_5xx_per_minute must be at least 1."
  }
  validation {
    condition     = alltrue([for k in ["api_4xx_percent", "function_duration_percent_of_timeout", "table_capacity_percent_of_limit", "site_5xx_percent", "site_4xx_percent", "canary_success_percent"] : lookup(var.thresholds, k, 0) <= 100])
    error_message = "percent thresholds must be at most 100."
  }
}

variable "extra_alarms" {
  type = map(object({
    description        = string
    metric             = string
    dimensions         = map(string)
    statistic          = optional(string)
    period             = optional(number, 300)
    evaluation_periods = optional(number, 1)
    comparison         = optional(string, "GreaterThanThreshold")
    threshold          = number
  }))
  description = "More alarms on metrics of metrics.json (`metric` is its key, e.g. lambda.Errors), checked like the derived ones: dimensions must be a published set."
  default     = {}
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each must confirm by email)."
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be email addresses."
  }
}

variable "slack_channel" {
  type = object({
    workspace_id = string
    channel_id   = string
  })
  description = "Slack channel notified through AWS Chatbot (workspace authorized once in the Chatbot console); null for none."
  default     = null

  validation {
    condition     = var.slack_channel == null || (can(regex("^T[A-Z0-9]+$", var.slack_channel.workspace_id)) && can(regex("^[CG][A-Z0-9]+$", var.slack_channel.channel_id)))
    error_message = "slack_channel needs a workspace id like T01ABCDEF and a channel id like C01ABCDEF (Slack: channel details, at the bottom)."
  }
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary of the Slack channel's role (the stack's boundary: deploy and developer identities may create no role without it); null for none."
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account-id>:policy/<name>)."
  }
}

variable "https_endpoint" {
  type        = string
  description = "HTTPS endpoint subscribed to the topic (PagerDuty or Opsgenie SNS integration URL); null for none. Holds a key: pass it as TF_VAR_, never in a tfvars file."
  default     = null
  sensitive   = true

  validation {
    condition     = var.https_endpoint == null || startswith(coalesce(var.https_endpoint, "-"), "https://")
    error_message = "https_endpoint must be an https:// URL."
  }
}

variable "require_subscriber" {
  type        = bool
  description = "Refuse to plan with no subscriber at all (production: an alarm nobody receives is no alarm)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource of the module."
  default     = {}
}
