output "distribution_id" {
  description = "CloudFront distribution id (invalidations after a frontend publish)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "CloudFront distribution ARN."
  value       = aws_cloudfront_distribution.this.arn
}

output "site_url" {
  description = "https URL of the storefront."
  value       = "https://${length(var.aliases) > 0 ? var.aliases[0] : aws_cloudfront_distribution.this.domain_name}"
}

output "bucket_policy" {
  description = "The site bucket's policy: CloudFront (OAC) reads, plain HTTP denied."
  value       = aws_s3_bucket_policy.this.policy
}
