# The whole platform of one workspace, derived from stack.yaml.
# Nothing here names a function, route or table: stack.yaml does.

data "aws_caller_identity" "current" {}

locals {
  # The stack document: stack.yaml validated and fully defaulted by the Python model
  # (woocom.stackdoc), written by every tooling command before it runs Terraform. HCL reads
  # values from it and adds no default of its own.
  stack_document = coalesce(var.stack_document, "${path.module}/../../.woocom/build/stack.json")
  stack          = jsondecode(file(local.stack_document))
  manifest       = jsondecode(file(var.package_manifest))

  # staging/production run in the default workspace; previews (pr-12) are workspaces of
  # the staging account, developer stacks (dev-alice) of the test account.
  workspace   = terraform.workspace == "default" ? var.environment : terraform.workspace
  name_prefix = "${local.stack.name}-${local.workspace}"
  tags = {
    stack       = local.stack.name
    environment = var.environment
    workspace   = local.workspace
    git_sha     = var.git_sha
    managed_by  = "terraform"
  }
  log_retention_days = coalesce(var.log_retention_days, local.stack.log_retention_days)

  tables    = local.stack.tables
  buckets   = local.stack.buckets
  queues    = local.stack.queues
  functions = local.stack.functions

  triggers    = { for name, fn in local.functions : name => fn.triggers }
  permissions = { for name, fn in local.functions : name => fn.permissions }

  # "GET /products/{sku}" => {function, method, path, admin}
  routes = local.stack.routes

  # bucket => [{function, prefix, suffix}]: one notification resource per bucket.
  s3_triggers = local.stack.s3_notifications

  # "table/main" => name, "bucket/imports" => name, "queue/orders" => URL, "secret/x" => name:
  # the values of the TABLE_<NAME>_NAME, BUCKET_<NAME>_NAME, QUEUE_<NAME>_URL and
  # SECRET_<NAME>_NAME variables the document names.
  resource_values = merge(
    { for name, t in module.data.tables : "table/${name}" => t.name },
    { for name, b in module.data.buckets : "bucket/${name}" => b.name },
    { for name, q in module.data.queues : "queue/${name}" => q.url },
    { for name, s in aws_secretsmanager_secret.declared : "secret/${name}" => s.name },
  )
  environments = {
    for name, fn in local.functions : name => merge(
      { for variable, resource in fn.resource_variables : variable => local.resource_values[resource] },
      fn.environment,
      { WOOCOM_ENV = local.workspace, LOG_LEVEL = var.log_level },
    )
  }
}

module "data" {
  source = "../modules/data"

  name_prefix         = local.name_prefix
  bucket_suffix       = data.aws_caller_identity.current.account_id
  tables              = local.tables
  buckets             = local.buckets
  queues              = local.queues
  deletion_protection = var.environment == "production"
  # With the CDN on, the site module writes the site bucket's policy (OAC + TLS-only).
  buckets_with_external_policy = var.enable_cdn ? ["site"] : []
}

module "api" {
  source = "../modules/api"

  name  = local.name_prefix
  paths = toset([for route in values(local.routes) : route.path])
  # Through CloudFront the site and /api share one origin; CORS serves other callers.
  cors_origin          = length(var.site_aliases) > 0 ? "https://${var.site_aliases[0]}" : "*"
  throttle_rate_limit  = var.api_throttle_rate_limit
  throttle_burst_limit = var.api_throttle_burst_limit
  log_retention_days   = local.log_retention_days
  deletion_protection  = var.environment == "production"
  admin_mfa_required   = var.environment == "production"
  # The integration suite mints its own tokens on non-production pools only.
  admin_auth_client    = var.environment != "production"
  redeployment_trigger = sha1(jsonencode({ for name, fn in module.function : name => fn.integration_ids }))
  tags                 = local.tags
}

module "function" {
  source   = "../modules/function"
  for_each = local.functions

  function_name            = "${local.name_prefix}-${each.key}"
  description              = each.value.description
  handler                  = each.value.lambda_handler
  runtime                  = each.value.runtime
  architecture             = each.value.architecture
  memory                   = each.value.memory
  timeout                  = each.value.timeout
  reserved_concurrency     = each.value.reserved_concurrency
  permissions_boundary_arn = var.permissions_boundary_arn
  environment              = local.environments[each.key]
  log_retention_days       = coalesce(var.log_retention_days, each.value.log_retention_days)
  tags                     = local.tags

  package = {
    filename         = "${path.module}/../../${local.manifest.functions[each.key].zip}"
    source_code_hash = local.manifest.functions[each.key].base64_sha256
  }

  # The role's access (declared permissions, plus consume on SQS trigger queues).
  tables  = { for t, access in each.value.access.table : t => { arn = module.data.tables[t].arn, access = access } }
  buckets = { for b, access in each.value.access.bucket : b => { arn = module.data.buckets[b].arn, access = access } }
  queues  = { for q, access in each.value.access.queue : q => { arn = module.data.queues[q].arn, access = access } }
  secrets = { for s, access in each.value.access.secret : s => { arn = aws_secretsmanager_secret.declared[s].arn, access = access } }

  api = {
    rest_api_id   = module.api.rest_api_id
    execution_arn = module.api.execution_arn
    authorizer_id = module.api.authorizer_id
  }
  api_routes = {
    for key, route in local.routes : key => {
      method      = route.method
      resource_id = module.api.resource_ids[route.path]
      admin       = route.admin
    } if route.function == each.key
  }
  schedules = {
    for index, schedule in each.value.triggers.schedule : tostring(index) => {
      expression = schedule.expression
      enabled    = schedule.enabled
    }
  }
  s3_sources = { for s in each.value.triggers.s3 : s.bucket => module.data.buckets[s.bucket].arn }
  sqs_triggers = {
    for s in each.value.triggers.sqs : s.queue => {
      queue_arn       = module.data.queues[s.queue].arn
      batch_size      = s.batch_size
      batching_window = s.batching_window
    }
  }
}

# One notification configuration per bucket: S3 keeps a single one, so every
# function's filter on that bucket must be in it.
resource "aws_s3_bucket_notification" "this" {
  for_each = local.s3_triggers

  bucket = module.data.buckets[each.key].name

  dynamic "lambda_function" {
    for_each = each.value
    content {
      lambda_function_arn = module.function[lambda_function.value.function].function_arn
      events              = ["s3:ObjectCreated:*"]
      filter_prefix       = lambda_function.value.prefix
      filter_suffix       = lambda_function.value.suffix
    }
  }

  # S3 checks that it may invoke each function when the configuration is saved.
  depends_on = [module.function]
}

module "site" {
  source = "../modules/site"
  count  = var.enable_cdn ? 1 : 0

  name            = local.name_prefix
  bucket          = module.data.buckets["site"]
  api             = { domain_name = module.api.domain_name, stage_name = module.api.stage_name }
  aliases         = var.site_aliases
  certificate_arn = var.site_certificate_arn
  web_acl_arn     = one(aws_wafv2_web_acl.site[*].arn)
  tags            = local.tags
}
