terraform {
  # Same floor as the stack: S3 native lockfile (use_lockfile) needs >= 1.10.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.69"
    }
  }

  # No backend block: the first apply keeps its state locally (the bucket does not
  # exist yet); README.md, step 3, moves it into the bucket this root creates.
}
