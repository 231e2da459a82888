terraform {
  # >= 1.10: S3 backend native locking (use_lockfile) and mock_provider in tests.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.69"
    }
  }

  # Partial configuration: terraform/envs/<env>.backend.hcl holds bucket, key,
  # region and use_lockfile = true (written by the bootstrap root).
  backend "s3" {}
}
