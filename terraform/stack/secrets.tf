# Credentials declared under stack.yaml's `secrets:`: created here without a value (an
# operator sets it once per environment: `aws secretsmanager put-secret-value`), named
# <stack>-<workspace>-<name>, and readable only by the functions granted
# `permissions: {secret: {<name>: read}}`. Functions get SECRET_<NAME>_NAME, never the value.

locals {
  secrets = try(local.stack.secrets, {})
  # function => the secrets it may read
  secret_grants = {
    for name, fn in local.functions : name => keys(try(fn.permissions.secret, {}))
    if length(try(fn.permissions.secret, {})) > 0
  }
}

resource "aws_secretsmanager_secret" "declared" {
  # checkov:skip=CKV_AWS_149:the AWS managed key: only the granted functions' roles (IAM) read it
  # checkov:skip=CKV2_AWS_57:provider credentials are rotated at the provider, then put here
  for_each = local.secrets

  name                    = "${local.name_prefix}-${replace(each.key, "_", "-")}"
  description             = try(each.value.description, "")
  recovery_window_in_days = var.environment == "production" ? 30 : 0
  tags                    = local.tags
}

resource "aws_iam_role_policy" "secrets" {
  for_each = local.secret_grants

  name = "declared-secrets"
  # modules/function names the role like the function.
  role = module.function[each.key].function_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadDeclaredSecrets"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = [for secret in each.value : aws_secretsmanager_secret.declared[secret].arn]
    }]
  })
}
