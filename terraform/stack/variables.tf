variable "environment" {
  type        = string
  description = "Account-level environment: staging, production or localstack. Previews and developer stacks are workspaces in staging."

  validation {
    condition     = contains(["staging", "production", "localstack"], var.environment)
    error_message = "environment must be staging, production or localstack."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the stack."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

variable "package_manifest" {
  type        = string
  description = "Path to the build manifest written by `nox -s package` (.woocom/build/manifest.json); zip paths in it are relative to the repository root."
}

variable "stack_document" {
  type        = string
  description = "Path to the stack document (stack.yaml normalized by the Python model, woocom.stackdoc); null reads .woocom/build/stack.json, which every woocom command that runs Terraform writes first."
  default     = null
}

variable "git_sha" {
  type        = string
  description = "Commit deployed; tagged on every resource."
  default     = "unknown"
}

variable "log_retention_days" {
  type        = number
  description = "Log retention of functions and API access logs in this environment; null keeps stack.yaml's (per function, and defaults.log_retention_days for the API)."
  default     = null
}

variable "enable_cdn" {
  type        = bool
  description = "Serve the site through CloudFront (false on LocalStack, which has no CloudFront)."
  default     = true
}

variable "site_aliases" {
  type        = list(string)
  description = "Custom domain names of the storefront (need site_certificate_arn)."
  default     = []
}

variable "site_certificate_arn" {
  type        = string
  description = "ACM certificate in us-east-1 for site_aliases."
  default     = null
}

variable "api_throttle_rate_limit" {
  type        = number
  description = "API requests per second across the stage."
  default     = 100
}

variable "api_throttle_burst_limit" {
  type        = number
  description = "API burst above the rate limit."
  default     = 200
}

variable "log_level" {
  type        = string
  description = "LOG_LEVEL given to every function."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "endpoint_overrides" {
  type        = map(string)
  description = "LocalStack: service => endpoint URL (apigateway, cloudwatch, cognitoidp, dynamodb, events, iam, lambda, logs, s3, secretsmanager, sns, sqs, sts). Empty for AWS."
  default     = {}

  validation {
    condition = alltrue([for service in keys(var.endpoint_overrides) : contains(
      ["apigateway", "cloudfront", "cloudwatch", "cognitoidp", "dynamodb", "events", "iam", "lambda", "logs", "s3", "secretsmanager", "sns", "sqs", "sts"],
    service)])
    error_message = "endpoint_overrides keys must be among apigateway, cloudfront, cloudwatch, cognitoidp, dynamodb, events, iam, lambda, logs, s3, secretsmanager, sns, sqs, sts."
  }
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Permissions boundary on every role the stack creates (functions, render-check canary, Slack alarm channel): the bootstrap's `permissions_boundary_arns` for this environment (terraform/envs/*.tfvars); deploy and developer identities may create no role without it."
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN (arn:aws:iam::<account-id>:policy/<name>)."
  }
}
