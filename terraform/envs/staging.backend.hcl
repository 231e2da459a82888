# Terraform state of the staging account: staging, and the previews (pr-<n>): one
# workspace each, stored under env:/<workspace>/ in this bucket.
# The bucket is created by terraform/bootstrap (output state_bucket); replace the
# placeholder with it once (README: "First-time setup"). Until then deploys refuse to run.
bucket       = "woocom-tfstate-<staging-account-id>"
key          = "woocom/stack.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
