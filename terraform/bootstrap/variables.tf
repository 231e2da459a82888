variable "account_name" {
  type        = string
  description = "Which account this is: staging (also previews and developer stacks) or production."

  validation {
    condition     = contains(["staging", "production"], var.account_name)
    error_message = "account_name must be staging or production."
  }
}

variable "account_id" {
  type        = string
  description = "The AWS account id; the provider refuses to run with credentials of any other account."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be the 12 digits of the account."
  }
}

variable "region" {
  type        = string
  description = "Region of the state bucket and of the stack."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like us-east-1."
  }
}

variable "github_repository" {
  type        = string
  description = "owner/name of the repository whose workflows may deploy (OIDC `sub` condition)."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must look like owner/name."
  }
}

variable "stack_name" {
  type        = string
  description = "stack.yaml `name`: every resource of the stack is named <stack_name>-<workspace>-..."
  default     = "woocom"
}

variable "deploy_environments" {
  type        = map(string)
  description = <<-EOT
    GitHub environment => the workspaces its deploy role may manage (an IAM wildcard).
    Staging account: { staging = "staging", preview = "pr-*" }. Production: { production = "production" }.
  EOT

  validation {
    condition     = alltrue([for pattern in values(var.deploy_environments) : can(regex("^[a-z0-9*-]+$", pattern))])
    error_message = "Workspace patterns are lowercase letters, digits, - and *."
  }
}

variable "create_github_oidc_provider" {
  type        = bool
  description = "Create the GitHub Actions OIDC provider (false when the account already has one)."
  default     = true
}

variable "developer_stacks" {
  type        = bool
  description = "Create the developer group, policy and permissions boundary for dev-<name> stacks (staging account)."
  default     = false
}

variable "break_glass_principals" {
  type        = list(string)
  description = "ARNs (users or roles) that may assume the break-glass role, with MFA. Empty: no break-glass role."
  default     = []
}

variable "state_noncurrent_days" {
  type        = number
  description = "Days old state versions are kept (the history to roll a state back from)."
  default     = 90
}
