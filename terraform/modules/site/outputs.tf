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

output "origin_verify_header" {
  description = "The header (name, value) CloudFront adds to every API request; the API's web ACL requires it."
  value = {
    name  = lower(local.origin_verify_header)
    value = aws_secretsmanager_secret_version.origin_verify.secret_string
  }
  sensitive = true
}

output "web_acl_arn" {
  description = "WAF web ACL attached to the distribution (null for none)."
  value       = aws_cloudfront_distribution.this.web_acl_id
}

output "api_origin_header_names" {
  description = "Names of the headers CloudFront adds to requests for the API origin."
  value       = flatten([for o in aws_cloudfront_distribution.this.origin : [for h in o.custom_header : h.name] if o.origin_id == local.api_id])
}
