# Variables of developer stacks (dev-<name>): workspaces in the test account,
# provisioned by hand under the developer policy (README: "Developer stacks").
environment        = "staging"
region             = "us-east-1"
log_level          = "DEBUG"
log_retention_days = 7

# --- Alarms (terraform/modules/alarms; README "operations") ---
# Subscribe yourself if you want the mails: alarm_emails = ["you@example.com"]
alarm_emails     = []
alarm_thresholds = {}

# --- Identity and edge (terraform/bootstrap, terraform/stack/edge.tf) ---
# Every role this stack creates carries the boundary the bootstrap made for it (output
# permissions_boundary_arns); the deploy identity may create no role without it.
permissions_boundary_arn = "arn:aws:iam::<test-account-id>:policy/woocom-boundary-developer"
# Requests per viewer IP per 5 minutes at CloudFront, per source IP at the API stage, and
# per-route throttles (requests/s) on top of the stage's.
waf_site_requests_per_ip = 500
waf_api_requests_per_ip  = 5000
api_method_throttles = {
  "POST /orders" = { rate_limit = 2, burst_limit = 5 }
}
