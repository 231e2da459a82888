# The storefront render check as a CloudWatch Synthetics canary: the same script as
# `nox -s canary` (src/woocom/canary), its artifacts bucket and a least-privilege role.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account = data.aws_caller_identity.current.account_id
  region  = data.aws_region.current.region
  # Synthetics names the canary's Lambda cwsyn-<canary name>-<id> (a name of at most 21
  # characters, variables.tf); its logs go to that function's group, which it creates.
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${local.region}:${local.account}:log-group:/aws/lambda/cwsyn-${var.name}-*"
  # A content-addressed key: new code means a new key, so the canary picks it up.
  code_key = "code/render-check-${filesha256(var.zip_file)}.zip"
}

# --- artifacts bucket: private, encrypted, TLS-only, expiring ---------------------------

resource "aws_s3_bucket" "artifacts" {
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled" # the code object is replaced by key, never overwritten; runs expire below
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    id     = "housekeeping"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
    # Replaced code zips stay a month: enough to see what ran before a deploy.
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }

  rule {
    id     = "expire-runs"
    status = "Enabled"
    filter {
      prefix = "runs/"
    }
    expiration {
      days = var.artifact_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TlsOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.artifacts]
}

resource "aws_s3_object" "code" {
  bucket      = aws_s3_bucket.artifacts.id
  key         = local.code_key
  source      = var.zip_file
  source_hash = filemd5(var.zip_file)
  tags        = var.tags

  depends_on = [aws_s3_bucket_server_side_encryption_configuration.artifacts]
}

# --- execution role: write its own artifacts and logs, publish its own metrics ----------

resource "aws_iam_role" "this" {
  name                 = "${var.name}-canary"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name = "render-check"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteRunArtifacts"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = ["${aws_s3_bucket.artifacts.arn}/runs/*"]
      },
      {
        # The Synthetics runtime lists buckets before writing its results; the action
        # has no resource ARN and reveals bucket names only.
        Sid      = "ListBucketsForTheRuntime"
        Effect   = "Allow"
        Action   = ["s3:ListAllMyBuckets"]
        Resource = ["*"]
      },
      {
        Sid      = "LocateArtifactsBucket"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = [aws_s3_bucket.artifacts.arn]
      },
      {
        Sid      = "WriteOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [local.log_group_arn, "${local.log_group_arn}:*"]
      },
      {
        # PutMetricData has no resource ARN; the namespace condition is the scope.
        Sid       = "PublishCanaryMetrics"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = ["*"]
        Condition = { StringEquals = { "cloudwatch:namespace" = "CloudWatchSynthetics" } }
      },
    ]
  })
}

# --- the canary ---------------------------------------------------------------------------

resource "aws_synthetics_canary" "this" {
  name                 = var.name
  runtime_version      = var.runtime_version
  handler              = "synthetics.handler"
  s3_bucket            = aws_s3_object.code.bucket
  s3_key               = aws_s3_object.code.key
  s3_version           = aws_s3_object.code.version_id
  execution_role_arn   = aws_iam_role.this.arn
  artifact_s3_location = "s3://${aws_s3_bucket.artifacts.bucket}/runs/"
  start_canary         = var.start
  delete_lambda        = true

  success_retention_period = var.artifact_retention_days
  failure_retention_period = var.artifact_retention_days

  schedule {
    expression = var.schedule_expression
  }

  run_config {
    timeout_in_seconds = var.timeout_seconds
    memory_in_mb       = 2048 # a headless Chromium needs it
    active_tracing     = false
    environment_variables = {
      CANARY_SITE_URL       = var.site_url
      CANARY_READ_ONLY      = tostring(var.read_only)
      CANARY_SKU            = var.canary_sku
      CANARY_LOAD_BUDGET_MS = tostring(var.load_budget_ms)
    }
  }

  artifact_config {
    s3_encryption {
      encryption_mode = "SSE_S3"
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]
}
