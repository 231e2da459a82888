variable "name" {
  type        = string
  description = "Prefix of the distribution's policies and function (\"<stack>-<workspace>\")."
}

variable "bucket" {
  type = object({
    name                 = string
    arn                  = string
    regional_domain_name = string
  })
  description = "The private bucket holding the built frontend (index.html + assets)."
}

variable "api" {
  type = object({
    domain_name = string
    stage_name  = string
  })
  description = "The API stage behind the same distribution: requests to /<stage_name>/* go to https://<domain_name>/<stage_name>/*."

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.api.stage_name))
    error_message = "api.stage_name must be letters, digits, '_' or '-'."
  }
}

variable "aliases" {
  type        = list(string)
  description = "Custom domain names; they need certificate_arn."
  default     = []
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate (us-east-1) for the aliases; null uses the *.cloudfront.net certificate."
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate in us-east-1 (a CloudFront requirement)."
  }
}

variable "web_acl_arn" {
  type        = string
  description = "WAF web ACL (scope CLOUDFRONT, us-east-1) in front of the distribution; null for none."
  default     = null

  validation {
    condition     = var.web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/", var.web_acl_arn))
    error_message = "web_acl_arn must be a CLOUDFRONT-scope web ACL (arn:aws:wafv2:us-east-1:<account>:global/webacl/...)."
  }
}

variable "price_class" {
  type        = string
  description = "CloudFront price class."
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource of the module."
  default     = {}
}
