# The render-check canary (canary.tf + modules/canary), against a mocked hashicorp/aws.

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

run "staging_checks_the_storefront_every_5_minutes_and_places_an_order" {
  assert {
    condition     = output.canary_name == "woocom-staging"
    error_message = "staging's canary must be named <stack>-<workspace>, got ${coalesce(output.canary_name, "none")}"
  }
  assert {
    condition     = module.canary[0].schedule_expression == "rate(5 minutes)"
    error_message = "the canary must run every 5 minutes by default"
  }
  assert {
    condition     = module.canary[0].environment_variables["CANARY_READ_ONLY"] == "false"
    error_message = "staging's canary places an order"
  }
  assert {
    condition     = module.canary[0].environment_variables["CANARY_SITE_URL"] == module.site[0].site_url
    error_message = "the canary must load the stack's own storefront"
  }
  assert {
    condition     = startswith(module.canary[0].artifacts_bucket, "woocom-staging-canary-")
    error_message = "the artifacts bucket must be named <stack>-<workspace>-canary-<account>"
  }
}

run "a_failing_canary_alarms_like_every_other_alarm" {
  assert {
    condition     = module.alarms.alarms["canary-failed"].metrics[0].dimensions == { CanaryName = "woocom-staging" }
    error_message = "the alarms module must watch this stack's canary"
  }
}

run "the_canary_role_holds_no_wildcard_action_and_stars_only_where_aws_has_no_arn" {
  assert {
    condition = alltrue(flatten([for s in jsondecode(module.canary[0].policy).Statement : [
      for a in s.Action : a != "*" && !endswith(a, ":*")
    ]]))
    error_message = "no wildcard actions in the canary's role"
  }
  assert {
    condition = alltrue([for s in jsondecode(module.canary[0].policy).Statement :
      contains(s.Resource, "*") ? contains([["s3:ListAllMyBuckets"], ["cloudwatch:PutMetricData"]], s.Action) : true
    ])
    error_message = "\"*\" resources only for s3:ListAllMyBuckets and cloudwatch:PutMetricData"
  }
  assert {
    condition = alltrue([for s in jsondecode(module.canary[0].policy).Statement :
      s.Condition.StringEquals["cloudwatch:namespace"] == "CloudWatchSynthetics" if s.Action == ["cloudwatch:PutMetricData"]
    ])
    error_message = "metrics only in the CloudWatchSynthetics namespace"
  }
}

run "the_canary_role_carries_the_stack_boundary" {
  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/woocom-developer-boundary"
  }
  assert {
    condition     = module.canary[0].permissions_boundary_arn == "arn:aws:iam::123456789012:policy/woocom-developer-boundary"
    error_message = "the canary's role must carry the same permissions boundary as the functions' roles"
  }
}

run "production_only_browses" {
  variables {
    environment  = "production"
    alarm_emails = ["ops@example.com"] # production refuses a stack nobody hears
  }
  assert {
    condition     = module.canary[0].environment_variables["CANARY_READ_ONLY"] == "true"
    error_message = "production's canary must never order"
  }
  # Synthetics runs the canary as the function cwsyn-<canary name>-<id>: the role may
  # write that function's logs, or every run fails after a successful deploy.
  assert {
    condition = anytrue(flatten([for s in jsondecode(module.canary[0].policy).Statement : [
      for r in s.Resource : endswith(r, ":log-group:/aws/lambda/cwsyn-woocom-production-*")
    ] if contains(s.Action, "logs:PutLogEvents")]))
    error_message = "production's canary role must write the logs of cwsyn-woocom-production-<id>"
  }
}

# A longer name would be cut in the function Synthetics creates, out of reach of the role's
# log scope and the deploy identity's policy: refused at plan, with the way out.
run "a_canary_name_of_21_characters_plans" {
  command = plan
  module {
    source = "../modules/canary"
  }
  variables {
    name        = "woocom-dev-maximilian"
    site_url    = "https://d111111abcdef8.cloudfront.net"
    bucket_name = "woocom-dev-maximilian-canary-123456789012"
    zip_file    = "../modules/canary/render_check.zip"
  }
}

run "a_canary_name_over_21_characters_is_refused" {
  command = plan
  module {
    source = "../modules/canary"
  }
  variables {
    name        = "woocom-dev-maximiliano"
    site_url    = "https://d111111abcdef8.cloudfront.net"
    bucket_name = "woocom-dev-maximiliano-canary-123456789012"
    zip_file    = "../modules/canary/render_check.zip"
  }
  expect_failures = [var.name]
}

run "off_when_asked_or_without_a_cdn" {
  variables {
    enable_canary = false
  }
  assert {
    condition     = length(module.canary) == 0 && output.canary_name == null
    error_message = "enable_canary = false must deploy no canary"
  }
  assert {
    condition     = !contains(keys(module.alarms.alarms), "canary-failed")
    error_message = "no canary, no canary alarm"
  }
}

run "off_without_a_cdn_even_when_asked" {
  variables {
    environment   = "localstack"
    enable_cdn    = false
    enable_canary = true
  }
  assert {
    condition     = length(module.canary) == 0
    error_message = "without CloudFront there is no site for a canary to load"
  }
}
