# Behaviour derived from stack.yaml, checked against a mocked hashicorp/aws.
# `python -m woocom validate` runs this with -var package_manifest=<a manifest it
# writes for every function in stack.yaml>, so adding a function needs no change here.
# A run is `command = plan` when every value its assertions read is known at plan (no
# apply: about half the time); the others read what the mocks only fill in at apply.

mock_provider "aws" {}

# CLOUDFRONT web ACLs (edge.tf) come from the us-east-1 alias; the site module checks the ARN's form.
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
}

run "every_function_is_deployed_with_its_own_role" {
  assert {
    condition     = length(module.function) == length(local.stack.functions)
    error_message = "expected one Lambda per function in stack.yaml"
  }
  assert {
    condition     = length(distinct([for fn in module.function : fn.role_arn])) == length(local.stack.functions)
    error_message = "every function must have its own role"
  }
  assert {
    condition = alltrue([for name, fn in module.function :
    fn.handler == "${local.stack.functions[name].folder}.${local.stack.functions[name].handler}"])
    error_message = "handler must be <folder>.<handler> from stack.yaml"
  }
}

run "names_are_prefixed_by_stack_and_workspace" {
  command = plan
  assert {
    condition     = local.name_prefix == "woocom-staging"
    error_message = "the default workspace of staging must be named woocom-staging, got ${local.name_prefix}"
  }
  assert {
    condition     = alltrue([for name, fn in module.function : fn.function_name == "woocom-staging-${name}"])
    error_message = "function names must be <stack>-<workspace>-<function>"
  }
  assert {
    condition     = alltrue([for name, bucket in output.buckets : startswith(bucket, "woocom-staging-")])
    error_message = "bucket names must start with <stack>-<workspace>-"
  }
  assert {
    condition     = alltrue([for name, q in module.data.queues : startswith(q.name, "woocom-staging-")])
    error_message = "queue names must start with <stack>-<workspace>-"
  }
}

run "policies_hold_only_declared_actions" {
  assert {
    condition = alltrue(flatten([for fn in module.function : [
      for s in jsondecode(fn.policy).Statement : [
        for a in s.Action : a != "*" && !endswith(a, ":*")
      ]
    ]]))
    error_message = "no wildcard actions"
  }
  assert {
    condition = alltrue(flatten([for fn in module.function : [
      for s in jsondecode(fn.policy).Statement : [for r in s.Resource : r != "*"]
    ]]))
    error_message = "no wildcard resources"
  }
  # catalog_api: table main read_write, nothing else.
  assert {
    condition     = sort([for s in jsondecode(module.function["catalog_api"].policy).Statement : s.Sid]) == tolist(["Logs", "TableMain"])
    error_message = "catalog_api may only log and use table main"
  }
  assert {
    condition = toset(one([for s in jsondecode(module.function["catalog_api"].policy).Statement : s.Action if s.Sid == "TableMain"])) == toset([
      "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
      "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
    ])
    error_message = "read_write on a table means exactly the read and write item actions"
  }
  assert {
    condition = one([for s in jsondecode(module.function["catalog_api"].policy).Statement : s.Resource if s.Sid == "TableMain"]) == [
      module.data.tables["main"].arn, "${module.data.tables["main"].arn}/index/*",
    ]
    error_message = "table actions must target the table and its indexes only"
  }
  # orders_api: queue orders send only.
  assert {
    condition     = toset(one([for s in jsondecode(module.function["orders_api"].policy).Statement : s.Action if s.Sid == "QueueOrders"])) == toset(["sqs:SendMessage", "sqs:GetQueueAttributes"])
    error_message = "send on a queue must not allow consuming it"
  }
  # order_worker: the SQS trigger implies consume, and it declared no send.
  assert {
    condition     = contains(one([for s in jsondecode(module.function["order_worker"].policy).Statement : s.Action if s.Sid == "QueueOrders"]), "sqs:ReceiveMessage")
    error_message = "an SQS trigger must allow consuming its queue"
  }
  assert {
    condition     = !contains(one([for s in jsondecode(module.function["order_worker"].policy).Statement : s.Action if s.Sid == "QueueOrders"]), "sqs:SendMessage")
    error_message = "order_worker declared no send permission"
  }
  # catalog_import: bucket imports read_write on objects, list on the bucket.
  assert {
    condition     = one([for s in jsondecode(module.function["catalog_import"].policy).Statement : s.Resource if s.Sid == "BucketObjectsImports"]) == ["${module.data.buckets["imports"].arn}/*"]
    error_message = "object actions must target the declared bucket's objects"
  }
  assert {
    condition     = length([for s in jsondecode(module.function["catalog_api"].policy).Statement : s if startswith(s.Sid, "Bucket")]) == 0
    error_message = "catalog_api declared no bucket"
  }
}

run "environment_follows_the_contract" {
  assert {
    condition = module.function["orders_api"].environment == tomap({
      TABLE_MAIN_NAME  = module.data.tables["main"].name
      QUEUE_ORDERS_URL = module.data.queues["orders"].url
      WOOCOM_ENV       = "staging"
      LOG_LEVEL        = "INFO"
    })
    error_message = "orders_api environment: TABLE_MAIN_NAME, QUEUE_ORDERS_URL, WOOCOM_ENV, LOG_LEVEL"
  }
  assert {
    condition     = module.function["expire_orders"].environment["ORDER_MAX_AGE_MINUTES"] == "30"
    error_message = "declared environment variables must reach the function"
  }
  assert {
    condition     = module.function["catalog_import"].environment["BUCKET_IMPORTS_NAME"] == output.buckets["imports"]
    error_message = "BUCKET_<NAME>_NAME must hold the bucket name"
  }
}

run "every_trigger_is_wired" {
  assert {
    condition = alltrue(flatten([for name, fn in local.stack.functions : [
      for route in fn.triggers.api : module.function[name].routes[route.route].authorization == (route.auth == "admin" ? "COGNITO_USER_POOLS" : "NONE")
    ]]))
    error_message = "every route must be a method on its function, admin routes behind the Cognito authorizer"
  }
  assert {
    condition     = length(flatten([for fn in module.function : keys(fn.routes)])) == length(flatten([for fn in values(local.stack.functions) : fn.triggers.api]))
    error_message = "no route beyond the declared ones"
  }
  assert {
    condition     = module.function["expire_orders"].schedules["0"].expression == "rate(5 minutes)" && module.function["expire_orders"].schedules["0"].state == "ENABLED"
    error_message = "expire_orders must fire on rate(5 minutes)"
  }
  assert {
    condition = jsonencode(module.function["order_worker"].sqs_mappings["orders"]) == jsonencode({
      batch_size              = 10
      batching_window         = 1
      event_source_arn        = module.data.queues["orders"].arn
      function_response_types = ["ReportBatchItemFailures"]
    })
    error_message = "order_worker must poll orders with batch 10, window 1s and partial batch failures"
  }
  assert {
    condition = [for f in aws_s3_bucket_notification.this["imports"].lambda_function : [f.lambda_function_arn, f.filter_prefix, f.filter_suffix]] == [
      [module.function["catalog_import"].function_arn, "imports/", ".csv"]
    ]
    error_message = "imports/*.csv drops must invoke catalog_import"
  }
  assert {
    condition     = keys(aws_s3_bucket_notification.this) == ["imports"]
    error_message = "only buckets with S3 triggers get a notification configuration"
  }
}

run "the_cdn_serves_the_site" {
  assert {
    condition     = output.distribution_id != null && startswith(output.site_url, "https://")
    error_message = "with the CDN on, the site has a distribution and an https URL"
  }
}

run "every_bucket_denies_plain_http" {
  assert {
    condition     = toset(keys(module.data.tls_only_policy_buckets)) == setsubtract(toset(keys(local.stack.buckets)), ["site"])
    error_message = "every bucket but the CDN's site bucket gets the data module's TLS-only policy"
  }
  assert {
    condition     = strcontains(module.site[0].bucket_policy, "aws:SecureTransport")
    error_message = "the site bucket's policy (written by the site module) must deny plain HTTP too"
  }
}

run "localstack_has_no_cdn" {
  command = plan
  variables {
    environment        = "localstack"
    enable_cdn         = false
    endpoint_overrides = { for s in ["apigateway", "dynamodb", "s3", "sqs", "lambda", "iam", "logs", "events", "sts"] : s => "http://localhost:4566" }
  }
  assert {
    condition     = length(module.site) == 0 && output.distribution_id == null && output.site_url == null
    error_message = "enable_cdn = false must not create CloudFront"
  }
  assert {
    condition     = contains(keys(module.data.tls_only_policy_buckets), "site")
    error_message = "without the CDN the data module's TLS-only policy covers the site bucket"
  }
}

run "developer_stacks_put_every_role_under_the_boundary" {
  command = plan
  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/woocom-boundary-developer"
  }
  assert {
    condition     = alltrue([for fn in module.function : fn.permissions_boundary_arn == "arn:aws:iam::123456789012:policy/woocom-boundary-developer"])
    error_message = "every function role of a developer stack must carry the permissions boundary"
  }
}
