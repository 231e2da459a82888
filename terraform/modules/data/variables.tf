variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name, \"<stack>-<workspace>\" (e.g. woocom-pr-12)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name_prefix))
    error_message = "name_prefix must be 2-41 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "bucket_suffix" {
  type        = string
  description = "Appended to bucket names to make them globally unique (the account id)."
}

variable "tables" {
  type = map(object({
    hash_key      = string
    range_key     = optional(string)
    billing_mode  = optional(string, "PAY_PER_REQUEST")
    ttl_attribute = optional(string)
    stream        = optional(string)
    indexes = optional(map(object({
      hash_key   = string
      range_key  = optional(string)
      projection = optional(string, "ALL")
    })), {})
  }))
  description = "DynamoDB tables by stable name, as declared under `tables:` in stack.yaml."

  validation {
    condition     = alltrue([for t in values(var.tables) : contains(["PAY_PER_REQUEST", "PROVISIONED"], t.billing_mode)])
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "buckets" {
  type = map(object({
    versioning        = optional(bool, false)
    expire_after_days = optional(number)
  }))
  description = "S3 buckets by stable name, as declared under `buckets:` in stack.yaml."
}

variable "buckets_with_external_policy" {
  type        = set(string)
  description = "Buckets whose bucket policy another module writes (the CDN's site bucket); that policy must deny non-TLS access itself. Every other bucket gets a TLS-only policy here."
  default     = []
}

variable "queues" {
  type = map(object({
    visibility_timeout = optional(number, 30)
    retention_days     = optional(number, 4)
    dlq = optional(object({
      max_receive_count = number
      retention_days    = optional(number, 14)
    }))
  }))
  description = "SQS queues by stable name, as declared under `queues:` in stack.yaml; `dlq` adds a dead-letter queue."

  validation {
    condition     = alltrue([for q in values(var.queues) : q.retention_days >= 1 && q.retention_days <= 14])
    error_message = "retention_days must be between 1 and 14 (SQS limits)."
  }
}

variable "deletion_protection" {
  type        = bool
  description = "Protect tables from deletion and keep non-empty buckets on destroy (production)."
  default     = false
}
