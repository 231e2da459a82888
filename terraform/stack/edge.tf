# The edge: WAF in front of CloudFront and of the API stage, per-method throttling, and
# the API reachable only through CloudFront. Sizes come from terraform/envs/*.tfvars.
#
# Per-viewer rate limits live on the CloudFront web ACL: it sees the viewer's address.
# Behind CloudFront the API's ACL sees CloudFront's edge addresses (and X-Forwarded-For
# can be forged), so its per-IP rule is a ceiling per source, not per viewer; its main
# rule is that every request carries CloudFront's secret origin header (modules/site).
# LocalStack has no WAF: nothing here is created when endpoint_overrides are set.

# CLOUDFRONT-scope web ACLs exist only in us-east-1, whatever the stack's region.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  # Unused on LocalStack, but configured all the same: never reach for real credentials there.
  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated

  default_tags {
    tags = local.tags
  }
}

variable "waf_site_requests_per_ip" {
  type        = number
  description = "CloudFront web ACL: requests one viewer IP may make in 5 minutes before it is blocked."
  default     = 2000

  validation {
    condition     = var.waf_site_requests_per_ip >= 10 && var.waf_site_requests_per_ip <= 2000000000
    error_message = "waf_site_requests_per_ip must be between 10 and 2,000,000,000 (WAF's limits)."
  }
}

variable "waf_api_requests_per_ip" {
  type        = number
  description = "API stage web ACL: requests one source IP (a CloudFront edge, or a direct caller) may make in 5 minutes."
  default     = 20000

  validation {
    condition     = var.waf_api_requests_per_ip >= 10 && var.waf_api_requests_per_ip <= 2000000000
    error_message = "waf_api_requests_per_ip must be between 10 and 2,000,000,000 (WAF's limits)."
  }
}

variable "api_method_throttles" {
  type = map(object({
    rate_limit  = number
    burst_limit = number
  }))
  description = "Per-route throttling on top of the stage's: \"POST /orders\" => {rate_limit (requests/s), burst_limit}."
  default     = {}

  validation {
    condition     = alltrue([for route, t in var.api_method_throttles : can(regex("^(GET|POST|PUT|PATCH|DELETE) /", route)) && t.rate_limit > 0 && t.burst_limit > 0])
    error_message = "api_method_throttles keys are \"<METHOD> <path>\" routes of stack.yaml; limits are positive."
  }
}

locals {
  waf_enabled = !local.emulated
  # AWS managed rule groups on both ACLs: IP reputation, the common rule set (OWASP top
  # risks, body size) and known bad inputs (Log4j, ...).
  managed_rule_groups = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"]
  metric_prefix       = replace(local.name_prefix, "-", "")
  api_stage_arn       = "arn:aws:apigateway:${var.region}::/restapis/${module.api.rest_api_id}/stages/${module.api.stage_name}"

  # Rules in WAF's own JSON (rule_json): the same document the WAF API and console show,
  # and plain data that `terraform test` can read back.
  visibility = { for name in ["SiteRate", "Site", "ApiRate", "Api", "ApiNotThroughCloudFront"] : name => {
    SampledRequestsEnabled   = true
    CloudWatchMetricsEnabled = true
    MetricName               = "${local.metric_prefix}${name}"
  } }
  managed_rules = { for prefix in ["Site", "Api"] : prefix => [for index, group in local.managed_rule_groups : {
    Name           = group
    Priority       = index + 10
    OverrideAction = { None = {} }
    Statement      = { ManagedRuleGroupStatement = { VendorName = "AWS", Name = group } }
    VisibilityConfig = {
      SampledRequestsEnabled   = true
      CloudWatchMetricsEnabled = true
      MetricName               = "${local.metric_prefix}${prefix}${group}"
    }
  }] }
  site_rules = concat([{
    Name             = "per-ip-rate-limit"
    Priority         = 1
    Action           = { Block = {} }
    Statement        = { RateBasedStatement = { Limit = var.waf_site_requests_per_ip, AggregateKeyType = "IP", EvaluationWindowSec = 300 } }
    VisibilityConfig = local.visibility["SiteRate"]
  }], local.managed_rules["Site"])
  # Without the CDN (enable_cdn = false) the API is called directly: no header to require.
  only_through_cloudfront = var.enable_cdn ? [{
    Name     = "only-through-cloudfront"
    Priority = 0
    Action   = { Block = {} }
    Statement = { NotStatement = { Statement = { ByteMatchStatement = {
      # A blob in WAF's JSON: base64 of the exact header value.
      SearchString         = base64encode(module.site[0].origin_verify_header.value)
      FieldToMatch         = { SingleHeader = { Name = module.site[0].origin_verify_header.name } }
      TextTransformations  = [{ Priority = 0, Type = "NONE" }]
      PositionalConstraint = "EXACTLY"
    } } } }
    VisibilityConfig = local.visibility["ApiNotThroughCloudFront"]
  }] : []
  api_rules = concat(local.only_through_cloudfront, [{
    Name             = "per-ip-rate-limit"
    Priority         = 1
    Action           = { Block = {} }
    Statement        = { RateBasedStatement = { Limit = var.waf_api_requests_per_ip, AggregateKeyType = "IP", EvaluationWindowSec = 300 } }
    VisibilityConfig = local.visibility["ApiRate"]
  }], local.managed_rules["Api"])
}

resource "aws_wafv2_web_acl" "site" {
  # checkov:skip=CKV_AWS_192:the rules are in rule_json, which checkov does not read: AWSManagedRulesKnownBadInputsRuleSet (Log4j) is one (tests/edge.tftest.hcl)
  # checkov:skip=CKV_AWS_175:same: rule_json holds the rate-based and managed rules
  # checkov:skip=CKV2_AWS_31:full request logs cost per request; every rule has CloudWatch metrics and sampled requests
  count    = local.waf_enabled && var.enable_cdn ? 1 : 0
  provider = aws.us_east_1

  name        = "${local.name_prefix}-site"
  description = "Storefront and API through CloudFront: per-viewer rate limit, AWS managed rules"
  scope       = "CLOUDFRONT"
  rule_json   = jsonencode(local.site_rules)

  default_action {
    allow {}
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.visibility["Site"].MetricName
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl" "api" {
  # checkov:skip=CKV_AWS_192:the rules are in rule_json, which checkov does not read: AWSManagedRulesKnownBadInputsRuleSet (Log4j) is one (tests/edge.tftest.hcl)
  # checkov:skip=CKV_AWS_175:same: rule_json holds the rate-based and managed rules
  # checkov:skip=CKV2_AWS_31:full request logs cost per request; every rule has CloudWatch metrics and sampled requests
  count = local.waf_enabled ? 1 : 0

  name        = "${local.name_prefix}-api"
  description = "API stage: only through CloudFront (secret origin header), per-source rate ceiling, AWS managed rules"
  scope       = "REGIONAL"
  rule_json   = jsonencode(local.api_rules)

  default_action {
    allow {}
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = local.visibility["Api"].MetricName
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "api" {
  count = local.waf_enabled ? 1 : 0

  resource_arn = local.api_stage_arn
  web_acl_arn  = aws_wafv2_web_acl.api[0].arn
}

# Per-method throttling (POST /orders: each call reserves stock and takes a payment).
resource "aws_api_gateway_method_settings" "throttle" {
  for_each = var.api_method_throttles

  rest_api_id = module.api.rest_api_id
  stage_name  = module.api.stage_name
  method_path = "${trimprefix(split(" ", each.key)[1], "/")}/${split(" ", each.key)[0]}"

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    throttling_rate_limit  = each.value.rate_limit
    throttling_burst_limit = each.value.burst_limit
  }

  lifecycle {
    precondition {
      condition     = contains(keys(local.routes), each.key)
      error_message = "api_method_throttles: ${each.key} is not a route of stack.yaml."
    }
  }

  # The stage-wide settings (*/*) are written first: both update the same stage.
  depends_on = [module.api]
}
