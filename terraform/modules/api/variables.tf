variable "name" {
  type        = string
  description = "Name of the REST API and prefix of its user pool and log group (\"<stack>-<workspace>\")."
}

variable "paths" {
  type        = set(string)
  description = "Every path a route uses (\"/products/{sku}\"); the resource tree is built from them."

  validation {
    condition     = alltrue([for p in var.paths : can(regex("^/([A-Za-z0-9_.{}-]+(/[A-Za-z0-9_.{}-]+){0,3})?$", p))])
    error_message = "paths must start with '/' and have at most 4 segments of letters, digits, '_', '.', '-' or {param}."
  }
}

variable "admin_mfa_required" {
  type        = bool
  description = "Require TOTP MFA of every user of the pool (the stack sets it in production); otherwise it is optional."
  default     = false
}

variable "admin_auth_client" {
  type        = bool
  nullable    = false
  description = "Create an app client with ALLOW_ADMIN_USER_PASSWORD_AUTH, with which the integration suite mints its own tokens. Never on production (the stack passes environment != \"production\")."

  validation {
    condition     = var.admin_auth_client == true || var.admin_auth_client == false
    error_message = "admin_auth_client must be true or false: the stack passes var.environment != \"production\"."
  }
}

variable "stage_name" {
  type        = string
  description = "Stage name; also the path prefix CloudFront forwards (/api/* -> stage api)."
  default     = "api"
}

variable "cors_origin" {
  type        = string
  description = "Origin allowed by CORS preflight answers, e.g. https://d111.cloudfront.net (\"*\" when the site has no fixed origin)."
  default     = "*"
}

variable "throttle_rate_limit" {
  type        = number
  description = "Steady-state requests per second across the stage."
  default     = 100

  validation {
    condition     = var.throttle_rate_limit > 0
    error_message = "throttle_rate_limit must be positive."
  }
}

variable "throttle_burst_limit" {
  type        = number
  description = "Burst of requests accepted above the rate limit."
  default     = 200

  validation {
    condition     = var.throttle_burst_limit > 0
    error_message = "throttle_burst_limit must be positive."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the access log group."
  default     = 30
}

variable "redeployment_trigger" {
  type        = string
  description = "Any value that changes when a route's method or integration changes (a hash of the integration ids)."
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the user pool from deletion (production)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource of the module."
  default     = {}
}
