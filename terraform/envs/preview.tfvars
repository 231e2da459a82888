# Variables of pull-request previews (pr-<n>): workspaces in the staging account,
# short-lived, so logs are kept briefly and nobody is paged.
environment        = "staging"
region             = "us-east-1"
log_level          = "DEBUG"
log_retention_days = 3

# --- Alarms (terraform/modules/alarms; README "operations") ---
# Short-lived previews page nobody; the alarms and dashboard still exist to look at.
alarm_emails     = []
alarm_thresholds = {}
