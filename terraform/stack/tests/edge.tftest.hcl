# The edge (edge.tf) and admin MFA, checked against a mocked hashicorp/aws.
# `python -m woocom validate` passes -var package_manifest.
# A run is `command = plan` when every value its assertions read is known at plan (no
# apply: about half the time); the others read what the mocks only fill in at apply.

mock_provider "aws" {}

mock_provider "aws" {
  alias = "us_east_1"

  mock_resource "aws_wafv2_web_acl" {
    defaults = {
      arn = "arn:aws:wafv2:us-east-1:222222222222:global/webacl/woocom-staging-site/0a1b2c3d"
    }
  }
}

variables {
  environment = "staging"
  git_sha     = "0123abc"
  api_method_throttles = {
    "POST /orders" = { rate_limit = 5, burst_limit = 10 }
  }
}

run "admins_may_skip_mfa_outside_production" {
  command = plan
  assert {
    condition     = module.api.user_pool_mfa_configuration == "OPTIONAL"
    error_message = "staging's admin pool keeps MFA optional"
  }
}

run "production_admins_must_use_mfa" {
  command = plan
  variables {
    environment = "production"
    # Production refuses to plan without an alarm subscriber (alarms.tf).
    alarm_emails = ["oncall@example.com"]
  }

  assert {
    condition     = module.api.user_pool_mfa_configuration == "ON"
    error_message = "production's admin pool must require MFA (finding 7)"
  }
}

run "cloudfront_and_the_api_stage_have_web_acls" {
  assert {
    condition     = aws_wafv2_web_acl.site[0].scope == "CLOUDFRONT" && aws_wafv2_web_acl.api[0].scope == "REGIONAL"
    error_message = "one CLOUDFRONT web ACL (us-east-1) and one REGIONAL on the API stage"
  }
  assert {
    condition     = module.site[0].web_acl_arn == aws_wafv2_web_acl.site[0].arn
    error_message = "the distribution must use the CLOUDFRONT web ACL"
  }
  assert {
    condition     = aws_wafv2_web_acl_association.api[0].resource_arn == "arn:aws:apigateway:us-east-1::/restapis/${module.api.rest_api_id}/stages/api"
    error_message = "the REGIONAL web ACL must be associated with the API stage"
  }
  assert {
    condition = alltrue([for acl in [aws_wafv2_web_acl.site[0], aws_wafv2_web_acl.api[0]] :
      length([for r in jsondecode(acl.rule_json) : r if try(r.Statement.RateBasedStatement.AggregateKeyType, "") == "IP"]) == 1
    ])
    error_message = "each web ACL needs one per-IP rate-based rule"
  }
  assert {
    condition = alltrue([for acl in [aws_wafv2_web_acl.site[0], aws_wafv2_web_acl.api[0]] :
      toset([for r in jsondecode(acl.rule_json) : r.Statement.ManagedRuleGroupStatement.Name if can(r.Statement.ManagedRuleGroupStatement)]) == toset(local.managed_rule_groups)
    ])
    error_message = "each web ACL runs the AWS managed rule groups"
  }
  assert {
    condition     = one([for r in jsondecode(aws_wafv2_web_acl.site[0].rule_json) : r.Statement.RateBasedStatement.Limit if r.Name == "per-ip-rate-limit"]) == var.waf_site_requests_per_ip
    error_message = "the CloudFront rate limit comes from tfvars"
  }
}

run "the_api_answers_only_requests_through_cloudfront" {
  command = plan
  assert {
    condition = one([for r in jsondecode(aws_wafv2_web_acl.api[0].rule_json) :
      r.Statement.NotStatement.Statement.ByteMatchStatement.FieldToMatch.SingleHeader.Name
    if r.Name == "only-through-cloudfront"]) == "x-origin-verify"
    error_message = "the API's web ACL must block requests without CloudFront's origin header"
  }
  assert {
    condition     = one([for r in jsondecode(aws_wafv2_web_acl.api[0].rule_json) : r.Priority if can(r.Action.Block) && r.Name == "only-through-cloudfront"]) == 0
    error_message = "requests without the header are blocked, before any other rule"
  }
  assert {
    condition     = module.site[0].api_origin_header_names == ["X-Origin-Verify"]
    error_message = "CloudFront must send the header to the API origin"
  }
}

run "post_orders_has_its_own_throttle" {
  command = plan
  assert {
    condition     = aws_api_gateway_method_settings.throttle["POST /orders"].method_path == "orders/POST"
    error_message = "POST /orders is throttled on method path orders/POST"
  }
  assert {
    condition     = aws_api_gateway_method_settings.throttle["POST /orders"].settings[0].throttling_rate_limit == 5
    error_message = "its limits come from api_method_throttles"
  }
}

run "a_throttle_on_an_unknown_route_is_refused" {
  command = plan

  variables {
    api_method_throttles = {
      "POST /nowhere" = { rate_limit = 1, burst_limit = 1 }
    }
  }

  expect_failures = [aws_api_gateway_method_settings.throttle]
}

run "secrets_are_declared_without_values_and_granted_per_function" {
  assert {
    condition     = aws_secretsmanager_secret.declared["payment_provider"].name == "woocom-staging-payment-provider"
    error_message = "each stack.yaml secret is a Secrets Manager secret named <stack>-<workspace>-<name>"
  }
  assert {
    condition     = [for name, fn in module.function : name if length([for s in jsondecode(fn.policy).Statement : s if startswith(s.Sid, "Secret")]) > 0] == ["order_worker"]
    error_message = "only the functions granted a secret may read it (their own role, from the access table)"
  }
  assert {
    condition     = one([for s in jsondecode(module.function["order_worker"].policy).Statement : s.Resource if s.Sid == "SecretPaymentProvider"]) == [aws_secretsmanager_secret.declared["payment_provider"].arn]
    error_message = "the grant names that secret only"
  }
  assert {
    condition     = one([for s in jsondecode(module.function["order_worker"].policy).Statement : s.Action if s.Sid == "SecretPaymentProvider"]) == ["secretsmanager:GetSecretValue"]
    error_message = "secret: read allows reading the value and nothing else"
  }
  assert {
    condition     = local.environments["order_worker"]["SECRET_PAYMENT_PROVIDER_NAME"] == "woocom-staging-payment-provider"
    error_message = "the function gets the secret's name"
  }
  assert {
    condition     = alltrue([for env in values(local.environments) : !contains(keys(env), "PAYMENT_PROVIDER")])
    error_message = "no environment sets the payment provider: production must not simulate"
  }
}

# The integration suite mints its own tokens through an admin-auth app client, on
# non-production pools only (issue 13); the web client signs in with USER_PASSWORD_AUTH.
run "staging_has_the_integration_client" {
  assert {
    condition     = contains(module.api.auth_flows["woocom-staging-integration"], "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    error_message = "staging's pool has an app client with the admin password flow for the integration suite"
  }
  assert {
    condition     = output.user_pool_integration_client_id != null
    error_message = "staging exposes the integration client in its outputs"
  }
  assert {
    condition     = contains(module.api.auth_flows["woocom-staging-web"], "ALLOW_USER_PASSWORD_AUTH") && !contains(module.api.auth_flows["woocom-staging-web"], "ALLOW_ADMIN_USER_PASSWORD_AUTH")
    error_message = "the web client allows USER_PASSWORD_AUTH and never the admin flow"
  }
}

run "previews_have_the_integration_client" {
  command = plan
  # A preview is a workspace of the staging account, planned with envs/preview.tfvars.
  variables {
    environment              = "staging"
    log_retention_days       = 3
    alarm_emails             = []
    permissions_boundary_arn = "arn:aws:iam::222222222222:policy/woocom-boundary-preview"
  }

  assert {
    condition     = anytrue([for flows in values(module.api.auth_flows) : contains(flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH")])
    error_message = "a preview's pool has the admin password flow for the integration suite"
  }
}

run "production_has_no_admin_auth_flow" {
  command = plan
  variables {
    environment  = "production"
    alarm_emails = ["oncall@example.com"]
  }

  assert {
    condition     = !anytrue([for flows in values(module.api.auth_flows) : contains(flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH")])
    error_message = "no app client of production's pool may allow the admin password flow"
  }
  assert {
    condition     = output.user_pool_integration_client_id == null && length(module.api.auth_flows) == 1
    error_message = "production has the web client only"
  }
}
