# The whole platform of one workspace, derived from stack.yaml.
# Nothing here names a function, route or table: stack.yaml does.

data "aws_caller_identity" "current" {}

locals {
  stack    = yamldecode(file("${path.module}/../../stack.yaml"))
  defaults = local.stack.defaults
  manifest = jsondecode(file(var.package_manifest))

  # staging/production run in the default workspace; previews (pr-12) and
  # developer stacks (dev-alice) are workspaces of the staging account.
  workspace   = terraform.workspace == "default" ? var.environment : terraform.workspace
  name_prefix = "${local.stack.name}-${local.workspace}"
  tags = {
    stack       = local.stack.name
    environment = var.environment
    workspace   = local.workspace
    git_sha     = var.git_sha
    managed_by  = "terraform"
  }
  log_retention_days = coalesce(var.log_retention_days, local.defaults.log_retention_days)

  tables    = try(local.stack.tables, {})
  buckets   = try(local.stack.buckets, {})
  queues    = try(local.stack.queues, {})
  functions = local.stack.functions

  triggers    = { for name, fn in local.functions : name => try(fn.triggers, {}) }
  permissions = { for name, fn in local.functions : name => try(fn.permissions, {}) }

  # "GET /products/{sku}" => {function, method, path, admin}
  routes = merge([
    for name, triggers in local.triggers : {
      for route in try(triggers.api, []) : route.route => {
        function = name
        method   = split(" ", route.route)[0]
        path     = split(" ", route.route)[1]
        admin    = try(route.auth, "public") == "admin"
      }
    }
  ]...)

  # bucket => [{function, prefix, suffix}]: one notification resource per bucket.
  s3_triggers = {
    for bucket in distinct(flatten([for t in values(local.triggers) : [for s in try(t.s3, []) : s.bucket]])) : bucket => flatten([
      for name, t in local.triggers : [
        for s in try(t.s3, []) : { function = name, prefix = try(s.prefix, ""), suffix = try(s.suffix, "") } if s.bucket == bucket
      ]
    ])
  }

  # The common contract: TABLE_<NAME>_NAME, BUCKET_<NAME>_NAME, QUEUE_<NAME>_URL for
  # each resource the function may touch (woocom.config.resource_environment).
  environments = {
    for name, fn in local.functions : name => merge(
      { for t in keys(try(local.permissions[name].table, {})) : "TABLE_${upper(t)}_NAME" => module.data.tables[t].name },
      { for b in keys(try(local.permissions[name].bucket, {})) : "BUCKET_${upper(b)}_NAME" => module.data.buckets[b].name },
      { for q in keys(try(local.permissions[name].queue, {})) : "QUEUE_${upper(q)}_URL" => module.data.queues[q].url },
      { for s in keys(try(local.permissions[name].secret, {})) : "SECRET_${upper(s)}_NAME" => aws_secretsmanager_secret.declared[s].name },
      try(fn.environment, {}),
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
  redeployment_trigger = sha1(jsonencode({ for name, fn in module.function : name => fn.integration_ids }))
  tags                 = local.tags
}

module "function" {
  source   = "../modules/function"
  for_each = local.functions

  function_name            = "${local.name_prefix}-${each.key}"
  description              = try(each.value.description, "")
  handler                  = "${try(each.value.folder, each.key)}.${each.value.handler}"
  runtime                  = try(each.value.runtime, local.defaults.runtime)
  architecture             = try(each.value.architecture, local.defaults.architecture)
  memory                   = try(each.value.memory, local.defaults.memory)
  timeout                  = try(each.value.timeout, local.defaults.timeout)
  reserved_concurrency     = try(each.value.reserved_concurrency, null)
  permissions_boundary_arn = var.permissions_boundary_arn
  environment              = local.environments[each.key]
  log_retention_days       = local.log_retention_days
  tags                     = local.tags

  package = {
    filename         = "${path.module}/../../${local.manifest.functions[each.key].zip}"
    source_code_hash = local.manifest.functions[each.key].base64_sha256
  }

  tables  = { for t, access in try(local.permissions[each.key].table, {}) : t => { arn = module.data.tables[t].arn, access = access } }
  buckets = { for b, access in try(local.permissions[each.key].bucket, {}) : b => { arn = module.data.buckets[b].arn, access = access } }
  queues  = { for q, access in try(local.permissions[each.key].queue, {}) : q => { arn = module.data.queues[q].arn, access = access } }

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
    for index, schedule in try(local.triggers[each.key].schedule, []) : tostring(index) => {
      expression = schedule.expression
      enabled    = try(schedule.enabled, true)
    }
  }
  s3_sources = { for s in try(local.triggers[each.key].s3, []) : s.bucket => module.data.buckets[s.bucket].arn }
  sqs_triggers = {
    for s in try(local.triggers[each.key].sqs, []) : s.queue => {
      queue_arn       = module.data.queues[s.queue].arn
      batch_size      = try(s.batch_size, 10)
      batching_window = try(s.batching_window, 0)
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

module "alarms" {
  source = "../modules/alarms"

  name                          = local.name_prefix
  api                           = { name = module.api.api_name, stage = module.api.stage_name }
  api_5xx_per_minute            = var.api_5xx_alarm_per_minute
  function_errors_per_5_minutes = var.function_errors_alarm_per_5_minutes
  function_names                = { for name, fn in module.function : name => fn.function_name }
  # Keys from stack.yaml and plan-time flags: for_each keys must be known before apply.
  dead_letter_queues = merge(
    { for name, q in local.queues : name => module.data.queues[name].dlq_name if try(q.dlq, null) != null },
    { for name, fn in module.function : "${name}-async" => fn.dlq_name if fn.asynchronous },
  )
  table_names  = { for name, t in module.data.tables : name => t.name }
  site         = { enabled = var.enable_cdn, distribution_id = var.enable_cdn ? module.site[0].distribution_id : null }
  alarm_emails = var.alarm_emails
  tags         = local.tags
}
