output "scopes" {
  description = "Scope (deploy environment or dev-<name>) => workspace pattern."
  value       = local.scopes
}

output "boundary_names" {
  description = "Boundary (deploy environment, or developer for all dev-<name>) => name of the policy."
  value       = local.boundary_names
}

output "boundary_arns" {
  description = "Scope => ARN of its permissions boundary policy."
  value       = local.boundary_arns
}

output "stack_policies" {
  description = "Scope => what its deploy or developer role may do (JSON)."
  value       = local.stack_policies
}

output "boundaries" {
  description = "Boundary (as boundary_names) => the policy every role of those stacks carries (JSON)."
  value       = local.boundaries
}

output "deploy_trusts" {
  description = "GitHub environment => trust policy of its deploy role (JSON)."
  value       = local.deploy_trusts
}

output "developer_trusts" {
  description = "dev-<name> => trust policy of that developer's role (JSON)."
  value       = local.developer_trusts
}

output "break_glass" {
  description = "Break-glass role: permissions, initial trust (nobody), approver role and its trust (JSON)."
  value = {
    policy         = local.break_glass
    trust          = local.break_glass_trust
    approver       = local.approver
    approver_trust = local.approver_trust
  }
}

output "resource_policies" {
  description = "Key and bucket policies of the bootstrap (JSON): state key, state bucket, alert topic and its key."
  value = {
    state_key    = local.state_key
    state_bucket = local.state_bucket_policy
    alert_topic  = local.alert_topic
    alert_key    = local.alert_key
  }
}
