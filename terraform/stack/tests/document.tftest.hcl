# Holds for any stack.yaml: what is deployed is what the stack document says.
# tests/terraform/test_stack_document.py runs this file alone against an unusual stack
# (every limit at its edge); `python -m woocom validate` runs it with the repository's stack.
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
}

run "functions_get_the_documents_settings" {
  command = plan
  assert {
    condition = alltrue([for name, fn in local.functions : alltrue([
      module.function[name].settings.runtime == fn.runtime,
      module.function[name].settings.architecture == fn.architecture,
      module.function[name].settings.memory == fn.memory,
      module.function[name].settings.timeout == fn.timeout,
      fn.reserved_concurrency == null ? module.function[name].settings.reserved_concurrency == null : module.function[name].settings.reserved_concurrency == fn.reserved_concurrency,
      module.function[name].settings.log_retention_days == fn.log_retention_days,
    ])])
    error_message = "every function's runtime, architecture, memory, timeout, concurrency and retention must be the document's"
  }
  assert {
    condition     = alltrue([for name, fn in local.functions : module.function[name].handler == fn.lambda_handler])
    error_message = "handlers must be the document's lambda_handler"
  }
}

run "triggers_and_tables_follow_the_document" {
  command = plan
  assert {
    condition = alltrue(flatten([for name, fn in local.functions : [
      for s in fn.triggers.sqs : module.function[name].sqs_mappings[s.queue].batch_size == s.batch_size && module.function[name].sqs_mappings[s.queue].batching_window == s.batching_window
    ]]))
    error_message = "SQS mappings must have the document's batch size and window"
  }
  assert {
    condition = alltrue([for name, t in local.tables :
      module.data.tables[name].billing_mode == t.billing_mode && (t.read_capacity == null ? module.data.tables[name].read_capacity == null : module.data.tables[name].read_capacity == t.read_capacity) && (t.write_capacity == null ? module.data.tables[name].write_capacity == null : module.data.tables[name].write_capacity == t.write_capacity)
    ])
    error_message = "tables must have the document's billing mode and capacities"
  }
  assert {
    condition     = length(local.routes) == length(flatten([for fn in values(local.functions) : fn.triggers.api]))
    error_message = "every declared route is in the document's routes"
  }
}
