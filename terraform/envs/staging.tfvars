# Variables of the staging stack (root: terraform/stack/variables.tf).
environment        = "staging"
region             = "us-east-1"
log_level          = "INFO"
log_retention_days = 30

# --- Alarms (terraform/modules/alarms; README "operations") ---
alarm_emails = []
# alarm_slack_channel = { workspace_id = "T0123ABCD", channel_id = "C0456EFGH" }
alarm_thresholds = {}

# --- Identity and edge (terraform/bootstrap, terraform/stack/edge.tf) ---
# Every role this stack creates carries the boundary the bootstrap made for it (output
# permissions_boundary_arns); the deploy identity may create no role without it.
permissions_boundary_arn = "arn:aws:iam::<staging-account-id>:policy/woocom-boundary-staging"
# Requests per viewer IP per 5 minutes at CloudFront, per source IP at the API stage, and
# per-route throttles (requests/s) on top of the stage's.
waf_site_requests_per_ip = 1000
waf_api_requests_per_ip  = 10000
api_method_throttles = {
  "POST /orders" = { rate_limit = 5, burst_limit = 10 }
}
