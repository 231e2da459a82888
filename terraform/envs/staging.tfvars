# Variables of the staging stack (root: terraform/stack/variables.tf).
environment        = "staging"
region             = "us-east-1"
log_level          = "INFO"
log_retention_days = 30
alarm_emails       = []
