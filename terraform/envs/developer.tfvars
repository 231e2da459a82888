# Variables of developer stacks (dev-<name>): workspaces in the staging account,
# provisioned by hand under the developer policy (README: "Developer stacks").
environment        = "staging"
region             = "us-east-1"
log_level          = "DEBUG"
log_retention_days = 7
# The developer policy lets developers create only roles that carry this boundary
# (bootstrap output `developer_permissions_boundary_arn`).
permissions_boundary_arn = "arn:aws:iam::<staging-account-id>:policy/woocom-developer-boundary"

# --- Alarms (terraform/modules/alarms; README "operations") ---
# Subscribe yourself if you want the mails: alarm_emails = ["you@example.com"]
alarm_emails     = []
alarm_thresholds = {}
