# Terraform state of the test account: the developer stacks (dev-<name>), one
# workspace each, stored under env:/<workspace>/ in this bucket.
# The bucket is created by terraform/bootstrap (output state_bucket); replace the
# placeholder with it once (README: "First-time setup"). Until then deploys refuse to run.
bucket       = "woocom-tfstate-<test-account-id>"
key          = "woocom/stack.tfstate"
region       = "us-east-1"
encrypt      = true
use_lockfile = true
