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
  state_key = "${var.stack_name}/stack.tfstate"
}

# --- state bucket ----------------------------------------------------------------------

resource "aws_kms_key" "state" {
  description             = "${var.stack_name} Terraform state (${var.account_name})"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.state_key.json
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.stack_name}-tfstate"
  target_key_id = aws_kms_key.state.key_id
}

data "aws_iam_policy_document" "state_key" {
  # checkov:skip=CKV_AWS_111:a key policy's "*" resource is this key only; the account administers it
  # checkov:skip=CKV_AWS_356:same: in a key policy "*" means the key the policy is attached to
  # checkov:skip=CKV_AWS_109:same: key administration stays with the account root, as AWS's default key policy
  # Key administration stays with the account; use is granted by the IAM policies below.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account_id}:root"]
    }
  }
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
  policy = data.aws_iam_policy_document.state_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}
