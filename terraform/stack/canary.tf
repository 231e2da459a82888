# The storefront render check as a CloudWatch Synthetics canary (terraform/modules/canary):
# every 5 minutes on staging and production, off for previews and developer stacks
# unless enable_canary = true, and never without the CDN (nothing to load).

variable "enable_canary" {
  type        = bool
  description = "Deploy the render-check canary; null: on for staging and production (default workspace), off for previews and developer stacks."
  default     = null
}

variable "canary_schedule" {
  type        = string
  description = "How often the canary runs."
  default     = "rate(5 minutes)"
}

variable "canary_load_budget_ms" {
  type        = number
  description = "Page load budget of the render check, in milliseconds."
  default     = 3000
}

locals {
  long_lived_stack = local.workspace == var.environment && contains(["staging", "production"], var.environment)
  canary_enabled   = var.enable_cdn && coalesce(var.enable_canary, local.long_lived_stack)
  # Known at plan time (the alarms take the name, not a resource attribute); null when off.
  # The stack's own name: the module allows 21 characters (see its name variable).
  canary_name = local.canary_enabled ? local.name_prefix : null
}

module "canary" {
  source = "../modules/canary"
  count  = local.canary_enabled ? 1 : 0

  name                = local.canary_name
  site_url            = module.site[0].site_url
  bucket_name         = "${local.name_prefix}-canary-${data.aws_caller_identity.current.account_id}"
  zip_file            = "${path.module}/../modules/canary/render_check.zip"
  schedule_expression = var.canary_schedule
  # Production is browsed, never bought from; elsewhere the canary orders its own product.
  read_only      = var.environment == "production"
  load_budget_ms = var.canary_load_budget_ms
  force_destroy  = !local.long_lived_stack
  # Same boundary as the functions' roles (developer stacks must set one).
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = local.tags
}

output "canary_name" {
  description = "Name of the render-check canary (null where it is off)."
  value       = local.canary_name
}
