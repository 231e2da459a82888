# The public REST API (v1: LocalStack Community has no v2), its Cognito user
# pool with the `admin` group and authorizer, CORS preflight answers, and the stage.

data "aws_region" "current" {}

locals {
  segments = { for path in var.paths : path => compact(split("/", path)) }

  # Every prefix of every path is an API resource: "/orders/{id}/cancel" needs
  # "/orders", "/orders/{id}" and itself.
  tree = merge([
    for path, parts in local.segments : {
      for depth in range(1, length(parts) + 1) : "/${join("/", slice(parts, 0, depth))}" => {
        depth  = depth
        part   = parts[depth - 1]
        parent = depth == 1 ? "/" : "/${join("/", slice(parts, 0, depth - 1))}"
      }
    }
  ]...)
  level = { for depth in [1, 2, 3, 4] : depth => { for path, node in local.tree : path => node if node.depth == depth } }

  resource_ids = merge(
    { "/" = aws_api_gateway_rest_api.this.root_resource_id },
    { for path, r in aws_api_gateway_resource.level1 : path => r.id },
    { for path, r in aws_api_gateway_resource.level2 : path => r.id },
    { for path, r in aws_api_gateway_resource.level3 : path => r.id },
    { for path, r in aws_api_gateway_resource.level4 : path => r.id },
  )

  cors_headers = {
    "method.response.header.Access-Control-Allow-Origin"  = "'${var.cors_origin}'"
    "method.response.header.Access-Control-Allow-Methods" = "'GET,POST,PUT,PATCH,DELETE,OPTIONS'"
    "method.response.header.Access-Control-Allow-Headers" = "'Authorization,Content-Type,Idempotency-Key'"
  }
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = "WooCom storefront API (${var.name})"
  tags        = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

# One resource per depth: a resource's parent must be another resource block.
resource "aws_api_gateway_resource" "level1" {
  for_each = local.level[1]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level2" {
  for_each = local.level[2]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level3" {
  for_each = local.level[3]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level2[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level4" {
  for_each = local.level[4]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level3[each.value.parent].id
  path_part   = each.value.part
}

# --- CORS preflight: answered by API Gateway itself --------------------------------------

resource "aws_api_gateway_method" "options" {
  for_each = var.paths

  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = local.resource_ids[each.key]
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "options" {
  for_each = var.paths

  rest_api_id       = aws_api_gateway_rest_api.this.id
  resource_id       = local.resource_ids[each.key]
  http_method       = aws_api_gateway_method.options[each.key].http_method
  type              = "MOCK"
  request_templates = { "application/json" = "{\"statusCode\": 204}" }
}

resource "aws_api_gateway_method_response" "options" {
  for_each = var.paths

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.resource_ids[each.key]
  http_method         = aws_api_gateway_method.options[each.key].http_method
  status_code         = "204"
  response_parameters = { for header in keys(local.cors_headers) : header => true }
}

resource "aws_api_gateway_integration_response" "options" {
  for_each = var.paths

  rest_api_id         = aws_api_gateway_rest_api.this.id
  resource_id         = local.resource_ids[each.key]
  http_method         = aws_api_gateway_method.options[each.key].http_method
  status_code         = aws_api_gateway_method_response.options[each.key].status_code
  response_parameters = local.cors_headers
  depends_on          = [aws_api_gateway_integration.options]
}

# --- Cognito: who is an admin ------------------------------------------------------------

resource "aws_cognito_user_pool" "this" {
  name                     = var.name
  deletion_protection      = var.deletion_protection ? "ACTIVE" : "INACTIVE"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  # Production admins must use an authenticator app; elsewhere they may (finding 7).
  mfa_configuration = var.admin_mfa_required ? "ON" : "OPTIONAL"
  tags              = var.tags

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length    = 12
    require_lowercase = true
    require_uppercase = true
    require_numbers   = true
    require_symbols   = false
  }

  admin_create_user_config {
    allow_admin_create_user_only = true
  }
}

resource "aws_cognito_user_pool_client" "this" {
  name            = "${var.name}-web"
  user_pool_id    = aws_cognito_user_pool.this.id
  generate_secret = false
  # USER_PASSWORD_AUTH: the example web app sends the password to Cognito over TLS
  # (README: the trade-off against SRP).
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
}

# The integration suite mints its own tokens on non-production pools: an admin flow
# (AdminInitiateAuth, IAM-authorized, so only identities allowed on this pool use it).
resource "aws_cognito_user_pool_client" "integration" {
  count = var.admin_auth_client ? 1 : 0

  name                          = "${var.name}-integration"
  user_pool_id                  = aws_cognito_user_pool.this.id
  generate_secret               = false
  explicit_auth_flows           = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
  id_token_validity             = 1
  access_token_validity         = 1
  refresh_token_validity        = 1
}

resource "aws_cognito_user_group" "admin" {
  name         = "admin"
  description  = "May manage products and orders through the admin routes."
  user_pool_id = aws_cognito_user_pool.this.id
}

resource "aws_api_gateway_authorizer" "admin" {
  name            = "cognito-admin"
  rest_api_id     = aws_api_gateway_rest_api.this.id
  type            = "COGNITO_USER_POOLS"
  provider_arns   = [aws_cognito_user_pool.this.arn]
  identity_source = "method.request.header.Authorization"
}

# --- deployment and stage -----------------------------------------------------------------

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  triggers = {
    redeployment = sha1(jsonencode([
      var.redeployment_trigger,
      local.resource_ids,
      [for i in aws_api_gateway_integration.options : i.id],
      var.cors_origin,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration_response.options]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true
  tags                 = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId    = "$context.requestId"
      ip           = "$context.identity.sourceIp"
      requestTime  = "$context.requestTime"
      httpMethod   = "$context.httpMethod"
      resourcePath = "$context.resourcePath"
      status       = "$context.status"
      latency      = "$context.responseLatency"
      error        = "$context.error.message"
    })
  }
}

resource "aws_api_gateway_method_settings" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }
}
