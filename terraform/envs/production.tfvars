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

# --- Identity and edge (terraform/bootstrap, terraform/stack/edge.tf) ---
# Every role this stack creates carries the boundary the bootstrap made for it (output
# permissions_boundary_arns); the deploy identity may create no role without it.
permissions_boundary_arn = "arn:aws:iam::<production-account-id>:policy/woocom-boundary-production"
# Requests per viewer IP per 5 minutes at CloudFront, per source IP at the API stage, and
# per-route throttles (requests/s) on top of the stage's.
waf_site_requests_per_ip = 2000
waf_api_requests_per_ip  = 20000
api_method_throttles = {
  "POST /orders" = { rate_limit = 20, burst_limit = 40 }
}
