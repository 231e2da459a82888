output "canary_name" {
  description = "Name of the canary (CloudWatch metric dimension CanaryName, e.g. for a SuccessPercent alarm)."
  value       = aws_synthetics_canary.this.name
}

output "canary_arn" {
  description = "ARN of the canary."
  value       = aws_synthetics_canary.this.arn
}

output "artifacts_bucket" {
  description = "Bucket of the canary's screenshots, HAR files and logs."
  value       = aws_s3_bucket.artifacts.bucket
}

output "role_arn" {
  description = "Execution role of the canary."
  value       = aws_iam_role.this.arn
}

output "permissions_boundary_arn" {
  description = "Permissions boundary of the execution role (null when none)."
  value       = aws_iam_role.this.permissions_boundary
}

output "policy" {
  description = "The execution role's inline policy document (JSON), for tests and reviews."
  value       = aws_iam_role_policy.this.policy
}

output "schedule_expression" {
  description = "How often the canary runs."
  value       = aws_synthetics_canary.this.schedule[0].expression
}

output "environment_variables" {
  description = "What the script is told (CANARY_SITE_URL, CANARY_READ_ONLY, CANARY_SKU, CANARY_LOAD_BUDGET_MS)."
  value       = aws_synthetics_canary.this.run_config[0].environment_variables
}
