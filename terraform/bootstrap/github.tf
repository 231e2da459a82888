# GitHub Actions deploys through OIDC: no long-lived keys anywhere. One role per
# GitHub environment; its trust is limited to this repository's jobs that run in
# that environment (and, for staging and production, on main), its permissions to
# that environment's workspaces, and every role it creates carries its boundary.

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider && length(var.deploy_environments) > 0 ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_openid_connect_provider" "github" {
  count = !var.create_github_oidc_provider && length(var.deploy_environments) > 0 ? 1 : 0

  url = "https://token.actions.githubusercontent.com"
}

locals {
  github_oidc_arn = one(concat(
    aws_iam_openid_connect_provider.github[*].arn,
    data.aws_iam_openid_connect_provider.github[*].arn,
    # The test account has no deploy roles; the documents still need a value.
    length(var.deploy_environments) == 0 ? ["arn:aws:iam::${var.account_id}:oidc-provider/token.actions.githubusercontent.com"] : [],
  ))
}

resource "aws_iam_role" "deploy" {
  for_each = var.deploy_environments

  name                 = "${var.stack_name}-deploy-${each.key}"
  description          = "GitHub Actions (${var.github_repository}, environment ${each.key}) deploys workspaces ${each.value}"
  assume_role_policy   = module.policies.deploy_trusts[each.key]
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "deploy" {
  for_each = var.deploy_environments

  name   = "deploy-${each.key}"
  role   = aws_iam_role.deploy[each.key].id
  policy = module.policies.stack_policies[each.key]
}

# The boundary of every role a scope's stacks create; the scope's own policy denies
# creating a role without it and changing it (policies/main.tf).
resource "aws_iam_policy" "boundary" {
  for_each = module.policies.boundary_names

  name        = each.value
  description = "Permissions boundary of every role the ${each.key} stacks create: their own workspace's data and logs"
  policy      = module.policies.boundaries[each.key]
}
