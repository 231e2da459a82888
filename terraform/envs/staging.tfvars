# Variables of the staging stack (root: terraform/stack/variables.tf).
environment        = "staging"
region             = "us-east-1"
log_level          = "INFO"
log_retention_days = 30

# --- Alarms (terraform/modules/alarms; README "operations") ---
alarm_emails = []
# alarm_slack_channel = { workspace_id = "T0123ABCD", channel_id = "C0456EFGH" }
alarm_thresholds = {}
