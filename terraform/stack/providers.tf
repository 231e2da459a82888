locals {
  emulated = length(var.endpoint_overrides) > 0
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }

  # LocalStack: every service at its endpoint, no real credentials or account.
  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated
  s3_use_path_style           = local.emulated

  dynamic "endpoints" {
    for_each = local.emulated ? [var.endpoint_overrides] : []
    content {
      apigateway     = lookup(endpoints.value, "apigateway", null)
      cloudfront     = lookup(endpoints.value, "cloudfront", null)
      cloudwatch     = lookup(endpoints.value, "cloudwatch", null)
      cognitoidp     = lookup(endpoints.value, "cognitoidp", null)
      dynamodb       = lookup(endpoints.value, "dynamodb", null)
      events         = lookup(endpoints.value, "events", null)
      iam            = lookup(endpoints.value, "iam", null)
      lambda         = lookup(endpoints.value, "lambda", null)
      logs           = lookup(endpoints.value, "logs", null)
      s3             = lookup(endpoints.value, "s3", null)
      secretsmanager = lookup(endpoints.value, "secretsmanager", null)
      sns            = lookup(endpoints.value, "sns", null)
      sqs            = lookup(endpoints.value, "sqs", null)
      sts            = lookup(endpoints.value, "sts", null)
    }
  }
}
