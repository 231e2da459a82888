output "tables" {
  description = "Tables by stable name: {name, arn, stream_arn, billing_mode, read_capacity, write_capacity}."
  value = {
    for key, table in aws_dynamodb_table.this : key => {
      name           = table.name
      arn            = table.arn
      stream_arn     = table.stream_arn
      billing_mode   = table.billing_mode
      read_capacity  = var.tables[key].read_capacity == null ? null : table.read_capacity
      write_capacity = var.tables[key].write_capacity == null ? null : table.write_capacity
    }
  }
}

output "buckets" {
  description = "Buckets by stable name: {name, arn, regional_domain_name}."
  value = {
    for key, bucket in aws_s3_bucket.this : key => {
      name                 = bucket.bucket
      arn                  = bucket.arn
      regional_domain_name = bucket.bucket_regional_domain_name
    }
  }
}

output "queues" {
  description = "Queues by stable name: {name, url, arn, dlq_name, dlq_url, dlq_arn} (dlq_* null without a DLQ)."
  value = {
    for key, queue in aws_sqs_queue.this : key => {
      name     = queue.name
      url      = queue.url
      arn      = queue.arn
      dlq_name = try(aws_sqs_queue.dlq[key].name, null)
      dlq_url  = try(aws_sqs_queue.dlq[key].url, null)
      dlq_arn  = try(aws_sqs_queue.dlq[key].arn, null)
    }
  }
}

output "tls_only_policy_buckets" {
  description = "Buckets whose TLS-only policy this module writes, by stable name (bucket => policy JSON)."
  value       = { for name, policy in aws_s3_bucket_policy.tls_only : name => policy.policy }
}
