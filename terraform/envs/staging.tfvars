# Variables of the staging stack (root: terraform/stack/variables.tf).
environment        = "staging"
region             = "us-east-1"
log_level          = "INFO"
log_retention_days = 30
alarm_emails       = []
# Every role this stack creates carries the boundary the bootstrap made for it (output
# permissions_boundary_arns); the deploy identity may create no role without it.
permissions_boundary_arn = "arn:aws:iam::<staging-account-id>:policy/woocom-boundary-staging"
