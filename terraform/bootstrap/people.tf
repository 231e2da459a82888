# People, as opposed to CI: developers provisioning their own dev-<name> stack by
# hand (test account), and break glass granted on request for minutes (any account).

# --- developers (test account): one role per person, MFA, their own stack only ---------

resource "aws_iam_role" "developer" {
  for_each = var.developers

  name                 = "${var.stack_name}-developer-${each.key}"
  description          = "${each.key} provisions dev-${each.key} by hand (MFA): its state, its resources, roles under its boundary"
  assume_role_policy   = module.policies.developer_trusts["dev-${each.key}"]
  max_session_duration = 3600 * 4
}

resource "aws_iam_role_policy" "developer" {
  for_each = var.developers

  name   = "dev-${each.key}"
  role   = aws_iam_role.developer[each.key].id
  policy = module.policies.stack_policies["dev-${each.key}"]
}

# --- break glass: no standing access; `python -m woocom access-request` grants it --------

resource "aws_iam_role" "break_glass" {
  name                 = "${var.stack_name}-break-glass"
  description          = "Emergency: stop or delete a faulty function. Granted per person for minutes by an approver; every use alarms."
  assume_role_policy   = module.policies.break_glass.trust
  max_session_duration = 3600

  # Grants rewrite the trust (one statement per person, until a time IAM enforces);
  # Terraform only sets the first, empty one.
  lifecycle {
    ignore_changes = [assume_role_policy]
  }
}

resource "aws_iam_role_policy" "break_glass" {
  name   = "break-glass"
  role   = aws_iam_role.break_glass.id
  policy = module.policies.break_glass.policy
}

resource "aws_iam_role" "break_glass_approver" {
  count = length(var.break_glass_approvers) > 0 ? 1 : 0

  name                 = "${var.stack_name}-break-glass-approver"
  description          = "Grants the break-glass role to one named person for minutes (woocom access-request)"
  assume_role_policy   = module.policies.break_glass.approver_trust
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "break_glass_approver" {
  count = length(var.break_glass_approvers) > 0 ? 1 : 0

  name   = "grant-break-glass"
  role   = aws_iam_role.break_glass_approver[0].id
  policy = module.policies.break_glass.approver
}

# --- every grant and every use pages the account's alert list ---------------------------

resource "aws_kms_key" "alerts" {
  description             = "${var.stack_name} break-glass alerts (${var.account_name})"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = module.policies.resource_policies.alert_key
}

resource "aws_sns_topic" "alerts" {
  name              = local.alert_topic
  kms_master_key_id = aws_kms_key.alerts.arn
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = module.policies.resource_policies.alert_topic
}

resource "aws_sns_topic_subscription" "alerts" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

# CloudTrail delivers management events to EventBridge (the account needs a trail, as
# any audited account has): AssumeRole of break glass, and any change to its trust.
resource "aws_cloudwatch_event_rule" "break_glass" {
  name        = "${var.stack_name}-break-glass-used"
  description = "Break-glass role assumed, or its trust (the grants) changed"
  event_pattern = jsonencode({
    detail-type = ["AWS API Call via CloudTrail"]
    source      = ["aws.sts", "aws.iam"]
    detail = {
      eventName = ["AssumeRole", "UpdateAssumeRolePolicy"]
      "$or" = [
        { requestParameters = { roleArn = [aws_iam_role.break_glass.arn] } },
        { requestParameters = { roleName = [aws_iam_role.break_glass.name] } },
      ]
    }
  })
}

resource "aws_cloudwatch_event_target" "break_glass" {
  rule = aws_cloudwatch_event_rule.break_glass.name
  arn  = aws_sns_topic.alerts.arn
}
