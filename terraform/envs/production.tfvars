# Variables of the production stack (root: terraform/stack/variables.tf).
environment              = "production"
region                   = "us-east-1"
log_level                = "INFO"
log_retention_days       = 90
api_throttle_rate_limit  = 500
api_throttle_burst_limit = 1000

# --- Alarms (terraform/modules/alarms; README "operations") ---
# Production refuses to plan with no subscriber: put the on-call list here, or set
# alarm_slack_channel, or TF_VAR_alarm_https_endpoint (PagerDuty) in the deploy job.
alarm_emails = []
# alarm_slack_channel = { workspace_id = "T0123ABCD", channel_id = "C0456EFGH" }
alarm_thresholds = {
  api_5xx_per_minute = 150
}
