# Run once per AWS account by an admin (README.md): the state bucket every stack of
# the account keeps its Terraform state in, and the identities that may change them.

provider "aws" {
  region = var.region
  # Credentials for the wrong account fail here, before anything is planned.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      stack      = var.stack_name
      managed_by = "terraform/bootstrap"
    }
  }
}

locals {
  state_bucket = "${var.stack_name}-tfstate-${var.account_id}"
  # The stack's backend key (terraform/envs/<account>.backend.hcl); workspaces live under env:/<workspace>/.
  state_key   = "${var.stack_name}/stack.tfstate"
  alert_topic = "${var.stack_name}-break-glass-alerts"
}

# Every IAM document of this root, as plain JSON that `nox -s iam` renders and checks
# offline (src/woocom/iam). Nothing here carries a `workspace` tag, so no deploy or
# developer identity's tag-scoped statements reach the bootstrap's own resources.
module "policies" {
  source = "./policies"

  account_name             = var.account_name
  account_id               = var.account_id
  region                   = var.region
  stack_name               = var.stack_name
  github_repository        = var.github_repository
  github_oidc_provider_arn = local.github_oidc_arn
  deploy_environments      = var.deploy_environments
  main_only_environments   = var.main_only_environments
  developers               = var.developers
  break_glass_approvers    = var.break_glass_approvers
  state_bucket             = local.state_bucket
  state_key                = local.state_key
  state_kms_key_arn        = aws_kms_key.state.arn
  alert_topic_arn          = "arn:aws:sns:${var.region}:${var.account_id}:${local.alert_topic}"
}

# --- state bucket ----------------------------------------------------------------------

resource "aws_kms_key" "state" {
  description             = "${var.stack_name} Terraform state (${var.account_name})"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  # Only the account's administrators manage it; every <stack>-* role may only use it.
  policy = module.policies.resource_policies.state_key
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.stack_name}-tfstate"
  target_key_id = aws_kms_key.state.key_id
}

resource "aws_s3_bucket" "state" {
  bucket = local.state_bucket

  # Losing the state bucket means re-importing every resource by hand.
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "old-state-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.state_noncurrent_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = module.policies.resource_policies.state_bucket

  depends_on = [aws_s3_bucket_public_access_block.state]
}
