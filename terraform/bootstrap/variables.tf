variable "account_name" {
  type        = string
  description = "Which account this is: production, staging (the staging stack and PR previews) or test (developers' dev-<name> stacks)."

  validation {
    condition     = contains(["production", "staging", "test"], var.account_name)
    error_message = "account_name must be production, staging or test."
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
    Staging account: { staging = "staging", preview = "pr-*" }. Production: { production = "production" }. Test: {}.
  EOT
  default     = {}

  validation {
    condition     = alltrue([for pattern in values(var.deploy_environments) : can(regex("^[a-z0-9][a-z0-9*-]*$", pattern))])
    error_message = "Workspace patterns are lowercase letters, digits, - and *."
  }
}

variable "main_only_environments" {
  type        = set(string)
  description = "GitHub environments whose deploy role trusts only jobs on refs/heads/main (needs the repository's OIDC subject template, README)."
  default     = ["staging", "production"]
}

variable "create_github_oidc_provider" {
  type        = bool
  description = "Create the GitHub Actions OIDC provider (false when the account already has one)."
  default     = true
}

variable "developers" {
  type        = map(string)
  description = "Test account: developer name (their stack is dev-<name>) => ARN of the person's principal allowed to assume their role with MFA."
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.developers) : can(regex("^[a-z][a-z0-9]{0,11}$", name))])
    error_message = "Developer names are 1-12 lowercase letters and digits (dev-<name> must be a workspace name)."
  }
}

variable "break_glass_approvers" {
  type        = list(string)
  description = "ARNs of the people who may grant break glass (python -m woocom access-request). Empty: no approver role, no grants."
  default     = []
}

variable "alert_emails" {
  type        = list(string)
  description = "Addresses told of every break-glass grant and use."
  default     = []
}

variable "state_noncurrent_days" {
  type        = number
  description = "Days old state versions are kept (the history to roll a state back from)."
  default     = 90
}
