variable "account_name" {
  type        = string
  description = "production, staging (the staging stack and PR previews) or test (developers' dev-<name> stacks)."

  validation {
    condition     = contains(["production", "staging", "test"], var.account_name)
    error_message = "account_name must be production, staging or test."
  }
}

variable "account_id" {
  type        = string
  description = "The 12-digit AWS account id the documents are for."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "region" {
  type        = string
  description = "Region of the stack and of the state bucket."
}

variable "stack_name" {
  type        = string
  description = "stack.yaml `name`: every resource of a workspace is named <stack_name>-<workspace>-..."
}

variable "github_repository" {
  type        = string
  description = "owner/name whose GitHub Actions jobs may assume the deploy roles."
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "ARN of the token.actions.githubusercontent.com OIDC provider of the account."
}

variable "deploy_environments" {
  type        = map(string)
  description = "GitHub environment => workspace pattern its deploy role manages (an IAM wildcard, e.g. pr-*)."

  validation {
    condition = alltrue([for pattern in values(var.deploy_environments) :
    can(regex("^[a-z0-9][a-z0-9*-]*$", pattern)) && !startswith(pattern, "tfstate") && pattern != "*"])
    error_message = "Workspace patterns are lowercase letters, digits, - and *, not \"*\" alone and never tfstate (the state bucket's name)."
  }
}

variable "main_only_environments" {
  type        = set(string)
  description = "GitHub environments whose deploy role only trusts jobs on refs/heads/main (needs the repository's OIDC subject template with `ref`, README)."
  default     = ["staging", "production"]
}

variable "developers" {
  type        = map(string)
  description = "Developer name (their stack is dev-<name>) => ARN of the person's own principal that may assume their role with MFA."

  validation {
    condition     = alltrue([for name in keys(var.developers) : can(regex("^[a-z][a-z0-9]{0,11}$", name))])
    error_message = "Developer names are 1-12 lowercase letters and digits (dev-<name> is a workspace name)."
  }
}

variable "break_glass_approvers" {
  type        = list(string)
  description = "ARNs of the people who may grant break-glass access (woocom access-request)."
}

variable "state_bucket" {
  type        = string
  description = "Name of the Terraform state bucket."
}

variable "state_key" {
  type        = string
  description = "Backend key of the stack; workspaces live under env:/<workspace>/<state_key>."
}

variable "state_kms_key_arn" {
  type        = string
  description = "ARN of the KMS key encrypting the state."
}

variable "alert_topic_arn" {
  type        = string
  description = "SNS topic the break-glass alarm publishes to."
}
