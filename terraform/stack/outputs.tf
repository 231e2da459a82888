# The outputs contract (src/woocom/outputs.py flattens them into .woocom/outputs/<target>.json).

output "api_url" {
  description = "Invoke URL of the API stage."
  value       = module.api.api_url
}

output "table_name" {
  description = "Name of the main table."
  value       = try(module.data.tables["main"].name, values(module.data.tables)[0].name)
}

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "user_pool_id" {
  description = "Cognito user pool of the admins."
  value       = module.api.user_pool_id
}

output "user_pool_client_id" {
  description = "App client the frontend signs in with."
  value       = module.api.user_pool_client_id
}

output "user_pool_integration_client_id" {
  description = "App client with the admin password flow, with which the integration suite mints its tokens (null on production)."
  value       = module.api.integration_client_id
}

output "distribution_id" {
  description = "CloudFront distribution id (null without CDN)."
  value       = var.enable_cdn ? module.site[0].distribution_id : null
}

output "site_url" {
  description = "Storefront URL (null without CDN)."
  value       = var.enable_cdn ? module.site[0].site_url : null
}

output "buckets" {
  description = "Bucket name by stable name."
  value       = { for name, bucket in module.data.buckets : name => bucket.name }
}

output "queues" {
  description = "Queues by stable name: {url, arn, dlq_url}."
  value       = { for name, q in module.data.queues : name => { url = q.url, arn = q.arn, dlq_url = q.dlq_url } }
}

output "function_names" {
  description = "Lambda function name by stable name."
  value       = { for name, fn in module.function : name => fn.function_name }
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm."
  value       = module.alarms.topic_arn
}
