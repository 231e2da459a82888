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

output "developer_group" {
  description = "IAM group whose members may provision dev-<name> stacks (null outside staging)."
  value       = one(aws_iam_group.developers[*].name)
}

output "developer_permissions_boundary_arn" {
  description = "Boundary every role of a developer stack must carry (null outside staging)."
  value       = one(aws_iam_policy.boundary[*].arn)
}

output "break_glass_role_arn" {
  description = "The break-glass role (null when no principal may assume it)."
  value       = one(aws_iam_role.break_glass[*].arn)
}
