output "state_bucket" {
  description = "The state bucket: put it in terraform/envs/<account>.backend.hcl."
  value       = aws_s3_bucket.state.bucket
}

output "backend_config" {
  description = "The whole terraform/envs/<account>.backend.hcl for this account."
  value       = <<-EOT
    bucket       = "${aws_s3_bucket.state.bucket}"
    key          = "${local.state_key}"
    region       = "${var.region}"
    encrypt      = true
    use_lockfile = true
  EOT
}

output "state_kms_key_arn" {
  description = "KMS key encrypting the state objects."
  value       = aws_kms_key.state.arn
}

output "github_oidc_provider_arn" {
  description = "The GitHub Actions OIDC provider the deploy roles trust."
  value       = local.github_oidc_arn
}

output "deploy_role_arns" {
  description = "GitHub environment => deploy role ARN: the AWS_DEPLOY_ROLE_ARN secret of that environment."
  value       = { for environment, role in aws_iam_role.deploy : environment => role.arn }
}

output "developer_role_arns" {
  description = "Developer name => the role they assume (with MFA) to provision dev-<name> (test account)."
  value       = { for name, role in aws_iam_role.developer : name => role.arn }
}

output "permissions_boundary_arns" {
  description = "Deploy environment, or developer (all dev-<name>) => the boundary every role of those stacks must carry (permissions_boundary_arn in terraform/envs)."
  value       = { for scope, policy in aws_iam_policy.boundary : scope => policy.arn }
}

output "break_glass_role_arn" {
  description = "The break-glass role (nobody may assume it until an approver grants it)."
  value       = aws_iam_role.break_glass.arn
}

output "break_glass_approver_role_arn" {
  description = "The role approvers assume to grant break glass (null without approvers)."
  value       = one(aws_iam_role.break_glass_approver[*].arn)
}

output "alert_topic_arn" {
  description = "SNS topic told of every break-glass grant and use."
  value       = aws_sns_topic.alerts.arn
}
