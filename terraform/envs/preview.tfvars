# Variables of pull-request previews (pr-<n>): workspaces in the staging account,
# short-lived, so logs are kept briefly and nobody is paged.
environment        = "staging"
region             = "us-east-1"
log_level          = "DEBUG"
log_retention_days = 3
alarm_emails       = []
