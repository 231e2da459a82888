variable "name" {
  type        = string
  description = "Prefix of the topic and alarm names (\"<stack>-<workspace>\")."
}

variable "api" {
  type = object({
    name  = string
    stage = string
  })
  description = "The REST API whose 5xx answers are counted (ApiName and Stage dimensions)."
}

variable "api_5xx_per_minute" {
  type        = number
  description = "Alarm when the API answers more 5xx than this in one minute."
  default     = 150

  validation {
    condition     = var.api_5xx_per_minute >= 1
    error_message = "api_5xx_per_minute must be at least 1."
  }
}

variable "function_names" {
  type        = map(string)
  description = "Lambda functions by stable name: each gets an errors and a throttles alarm."
  default     = {}
}

variable "function_errors_per_5_minutes" {
  type        = number
  description = "Alarm when a function fails more often than this in 5 minutes."
  default     = 5
}

variable "dead_letter_queues" {
  type        = map(string)
  description = "Dead-letter queues by stable name: alarm as soon as one holds a message."
  default     = {}
}

variable "table_names" {
  type        = map(string)
  description = "DynamoDB tables by stable name: throttled requests and system errors alarm."
  default     = {}
}

variable "site" {
  type = object({
    enabled         = bool
    distribution_id = string
  })
  description = "CloudFront distribution whose 5xx error rate is watched; `enabled` must be known at plan time. Its metrics exist only in us-east-1."
  default     = { enabled = false, distribution_id = null }
}

variable "site_5xx_error_rate" {
  type        = number
  description = "Alarm when the storefront's 5xx error rate (percent) exceeds this for 5 minutes."
  default     = 5
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

variable "tags" {
  type        = map(string)
  description = "Tags on every resource of the module."
  default     = {}
}
