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
    hash_key       = string
    range_key      = string
    billing_mode   = string
    read_capacity  = number
    write_capacity = number
    ttl_attribute  = string
    stream         = string
    indexes = map(object({
      hash_key       = string
      range_key      = string
      projection     = string
      read_capacity  = number
      write_capacity = number
    }))
  }))
  description = "DynamoDB tables by stable name, from the stack document (every attribute present; null where unset). Capacities are set exactly for PROVISIONED tables and their indexes."

  validation {
    condition     = alltrue([for t in values(var.tables) : contains(["PAY_PER_REQUEST", "PROVISIONED"], t.billing_mode)])
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }

  validation {
    condition = alltrue([for t in values(var.tables) : alltrue([
      for capacity in concat([t.read_capacity, t.write_capacity], flatten([for i in values(t.indexes) : [i.read_capacity, i.write_capacity]])) :
      t.billing_mode == "PROVISIONED" ? capacity != null : capacity == null
    ])])
    error_message = "PROVISIONED tables need read_capacity and write_capacity on the table and every index; PAY_PER_REQUEST tables take none."
  }
}

variable "buckets" {
  type = map(object({
    versioning        = bool
    expire_after_days = number
  }))
  description = "S3 buckets by stable name, from the stack document."
}

variable "buckets_with_external_policy" {
  type        = set(string)
  description = "Buckets whose bucket policy another module writes (the CDN's site bucket); that policy must deny non-TLS access itself. Every other bucket gets a TLS-only policy here."
  default     = []
}

variable "queues" {
  type = map(object({
    visibility_timeout = number
    retention_days     = number
    dlq = object({
      max_receive_count = number
      retention_days    = number
    })
  }))
  description = "SQS queues by stable name, from the stack document; a non-null `dlq` adds a dead-letter queue."

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
