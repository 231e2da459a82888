variable "function_name" {
  type        = string
  description = "Full Lambda name, \"<prefix>-<function>\"; also names its role, log group and DLQ."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.function_name))
    error_message = "function_name must be 1-56 letters, digits, '-' or '_' (room for the -dlq suffix)."
  }
}

variable "description" {
  type        = string
  description = "What the function does."
  default     = ""
}

variable "handler" {
  type        = string
  description = "Handler string Lambda sees, \"<folder>.<module>.<function>\"."
}

variable "runtime" {
  type        = string
  description = "Lambda runtime."

  validation {
    condition     = contains(["python3.11", "python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be python3.11, python3.12 or python3.13."
  }
}

variable "architecture" {
  type        = string
  description = "Instruction set: arm64 or x86_64."

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "memory" {
  type        = number
  description = "Memory in MB (128-10240)."

  validation {
    condition     = var.memory >= 128 && var.memory <= 10240
    error_message = "memory must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  type        = number
  description = "Timeout in seconds (1-900)."

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions (0 stops every invocation); null for the unreserved pool."
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || coalesce(var.reserved_concurrency, 0) >= 0
    error_message = "reserved_concurrency must be null or at least 0."
  }
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary for the execution role (required for developer stacks by the bootstrap's developer policy); null for none."
  default     = null
}

variable "environment" {
  type        = map(string)
  description = "Environment variables (resource names per the common contract, WOOCOM_ENV, LOG_LEVEL, declared ones)."
  default     = {}
}

variable "package" {
  type = object({
    filename         = string
    source_code_hash = string
  })
  description = "The zip to deploy and its base64 SHA-256 (from the build manifest)."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the function's log group."

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "tables" {
  type = map(object({
    arn    = string
    access = string
  }))
  description = "Tables the function may use: ARN and access (read, write, read_write)."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.tables) : contains(keys(jsondecode(file("${path.module}/access.json")).table.levels), r.access)])
    error_message = "table access must be a level of access.json's table table (read, write, read_write)."
  }
}

variable "buckets" {
  type = map(object({
    arn    = string
    access = string
  }))
  description = "Buckets the function may use: ARN and access (read, write, read_write)."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.buckets) : contains(keys(jsondecode(file("${path.module}/access.json")).bucket.levels), r.access)])
    error_message = "bucket access must be a level of access.json's bucket table (read, write, read_write)."
  }
}

variable "queues" {
  type = map(object({
    arn    = string
    access = string
  }))
  description = "Queues the function may use: ARN and access (send, consume, send_consume)."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.queues) : contains(keys(jsondecode(file("${path.module}/access.json")).queue.levels), r.access)])
    error_message = "queue access must be a level of access.json's queue table (send, consume, send_consume)."
  }
}

variable "secrets" {
  type = map(object({
    arn    = string
    access = string
  }))
  description = "Secrets Manager secrets the function may read: ARN and access (read)."
  default     = {}

  validation {
    condition     = alltrue([for r in values(var.secrets) : contains(keys(jsondecode(file("${path.module}/access.json")).secret.levels), r.access)])
    error_message = "secret access must be a level of access.json's secret table (read)."
  }
}

variable "api" {
  type = object({
    rest_api_id   = string
    execution_arn = string
    authorizer_id = string
  })
  description = "The REST API that routes reach the function through (null without API routes)."
  default     = null
}

variable "api_routes" {
  type = map(object({
    method      = string
    resource_id = string
    admin       = bool
  }))
  description = "API routes by \"METHOD /path\": the API resource and whether the Cognito admin authorizer guards it."
  default     = {}
}

variable "schedules" {
  type = map(object({
    expression = string
    enabled    = bool
  }))
  description = "EventBridge schedules by index: rate(...) or cron(...) expressions."
  default     = {}

  validation {
    condition     = alltrue([for s in values(var.schedules) : can(regex("^(rate|cron)\\(.+\\)$", s.expression))])
    error_message = "a schedule expression must be rate(...) or cron(...)."
  }
}

variable "s3_sources" {
  type        = map(string)
  description = "Buckets (stable name => bucket ARN) whose notifications invoke the function; the notification itself is the bucket's."
  default     = {}
}

variable "sqs_triggers" {
  type = map(object({
    queue_arn       = string
    batch_size      = number
    batching_window = number
  }))
  description = "Queues (stable name => ARN, batch size, batching window in s) polled for the function. Lambda polls with the function's role, so each must be in `queues` with an access that consumes."
  default     = {}

  validation {
    condition = alltrue([for name in keys(var.sqs_triggers) :
      contains(flatten(values(lookup(jsondecode(file("${path.module}/access.json")).queue.levels, lookup(var.queues, name, { arn = "", access = "" }).access, {}))), "sqs:ReceiveMessage")
    ])
    error_message = "every queue in sqs_triggers must be in queues with an access level that includes sqs:ReceiveMessage (consume or send_consume)."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource of the module (on top of the provider's default tags)."
  default     = {}
}
