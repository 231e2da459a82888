# Terraform state of the production account: production (workspace "production").
# The bucket is created by terraform/bootstrap (output state_bucket); replace the
# placeholder with it once (README: "First-time setup"). Until then deploys refuse to run.
bucket       = "woocom-tfstate-<production-account-id>"
key          = "woocom/stack.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
