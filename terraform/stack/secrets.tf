# Credentials declared under stack.yaml's `secrets:`: created here without a value (an
# operator sets it once per environment: `aws secretsmanager put-secret-value`), named
# <stack>-<workspace>-<name>. Each function granted `permissions: {secret: {<name>: read}}`
# gets SECRET_<NAME>_NAME (never the value) and, in its own role (modules/function, from
# the access table), the right to read that secret and no other.

resource "aws_secretsmanager_secret" "declared" {
  # checkov:skip=CKV_AWS_149:the AWS managed key: only the granted functions' roles (IAM) read it
  # checkov:skip=CKV2_AWS_57:provider credentials are rotated at the provider, then put here
  for_each = local.stack.secrets

  name                    = "${local.name_prefix}-${replace(each.key, "_", "-")}"
  description             = each.value.description
  recovery_window_in_days = var.environment == "production" ? 30 : 0
  tags                    = local.tags
}
