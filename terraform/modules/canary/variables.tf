variable "name" {
  type        = string
  description = "Canary name (also the prefix of its role), e.g. \"woocom-staging\"; at most 21 characters."

  validation {
    condition     = can(regex("^[0-9a-z_-]+$", var.name))
    error_message = "name must be lowercase letters, digits, '-' or '_' (a Synthetics canary name)."
  }
  # Synthetics names the function it creates cwsyn-<name>-<id>, whose log group the role
  # may write and whose name the deploy identity's policy grants: its form since names were
  # limited to 21 characters (Lambda's 64 = 6 + 21 + 1 + 36); how it cuts a longer name is
  # not documented.
  validation {
    condition     = length(var.name) <= 21
    error_message = "name must be at most 21 characters (Synthetics cuts longer names in the function it creates, and its logs would be denied): shorten the workspace name or turn the canary off (enable_canary = false)."
  }
}

variable "site_url" {
  type        = string
  description = "The storefront the canary loads (the CloudFront URL or an alias)."

  validation {
    condition     = startswith(var.site_url, "https://")
    error_message = "site_url must be an https:// URL."
  }
}

variable "bucket_name" {
  type        = string
  description = "Name of the artifacts bucket (screenshots, HAR files, logs of each run); globally unique."
}

variable "zip_file" {
  type        = string
  description = "The canary's code: a zip with python/synthetics.py and python/render_check.py (`python -m woocom.canary.package`)."
}

variable "runtime_version" {
  type        = string
  description = "CloudWatch Synthetics runtime the script is written for."
  default     = "syn-python-selenium-14.0"

  validation {
    condition     = startswith(var.runtime_version, "syn-python-selenium-")
    error_message = "the script is Python + Selenium: runtime_version must be a syn-python-selenium-* runtime."
  }
}

variable "schedule_expression" {
  type        = string
  description = "How often the canary runs: rate(...) or cron(...); \"rate(0 minutes)\" runs it once on start."
  default     = "rate(5 minutes)"

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours)\\)|cron\\(.+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(N minutes|hours) or cron(...)."
  }
}

variable "start" {
  type        = bool
  description = "Run on the schedule (true) or deploy stopped (false)."
  default     = true
}

variable "read_only" {
  type        = bool
  description = "Browse only (production); false also places an order for canary_sku and waits for its confirmation."
  default     = true
}

variable "canary_sku" {
  type        = string
  description = "The product the canary orders when read_only is false (create it with `nox -s canary -- <env> --ensure-product`)."
  default     = "CANARY-1"
}

variable "load_budget_ms" {
  type        = number
  description = "The page must finish loading within this many milliseconds."
  default     = 3000

  validation {
    condition     = var.load_budget_ms >= 100
    error_message = "load_budget_ms must be at least 100."
  }
}

variable "timeout_seconds" {
  type        = number
  description = "Longest run of the canary (at most the schedule's interval)."
  default     = 120

  validation {
    condition     = var.timeout_seconds >= 3 && var.timeout_seconds <= 840
    error_message = "timeout_seconds must be between 3 and 840."
  }
}

variable "artifact_retention_days" {
  type        = number
  description = "Days the artifacts bucket keeps screenshots and logs; also the run-data retention of the canary."
  default     = 30

  validation {
    condition     = var.artifact_retention_days >= 1 && var.artifact_retention_days <= 455
    error_message = "artifact_retention_days must be 1-455 (the Synthetics limit)."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Let Terraform delete the artifacts bucket with its objects (previews, developer stacks)."
  default     = false
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary of the execution role (required where deploy identities may only create bounded roles); null for none."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource of the module."
  default     = {}
}
