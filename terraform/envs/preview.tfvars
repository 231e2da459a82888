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

# --- Identity and edge (terraform/bootstrap, terraform/stack/edge.tf) ---
# Every role this stack creates carries the boundary the bootstrap made for it (output
# permissions_boundary_arns); the deploy identity may create no role without it.
permissions_boundary_arn = "arn:aws:iam::<staging-account-id>:policy/woocom-boundary-preview"
# Requests per viewer IP per 5 minutes at CloudFront, per source IP at the API stage, and
# per-route throttles (requests/s) on top of the stage's.
waf_site_requests_per_ip = 500
waf_api_requests_per_ip  = 5000
api_method_throttles = {
  "POST /orders" = { rate_limit = 2, burst_limit = 5 }
}
