# The storefront behind CloudFront: private bucket through origin access control,
# SPA fallback, security headers, TLS, and the API under the same origin.

data "aws_region" "current" {}

locals {
  site_id = "site"
  api_id  = "api"

  # AWS managed policies (stable IDs published by CloudFront).
  caching_optimized         = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  caching_disabled          = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  all_viewer_except_host    = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
  custom_certificate_in_use = var.certificate_arn != null
  origin_verify_header      = "X-Origin-Verify"
}

# The API is reachable only through this distribution: CloudFront adds a secret header
# to every API request and the API stage's web ACL blocks requests without it
# (terraform/stack/edge.tf). The value is generated once and kept in Secrets Manager
# (stable across plans; rotate by replacing the version: README).
data "aws_secretsmanager_random_password" "origin_verify" {
  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "origin_verify" {
  # checkov:skip=CKV_AWS_149:read only by Terraform (CloudFront and WAF configuration); the AWS managed key suffices
  # checkov:skip=CKV2_AWS_57:rotated by replacing the version (README), which redeploys CloudFront and WAF together
  name                    = "${var.name}-origin-verify"
  description             = "Header value CloudFront sends to the API; the API's web ACL requires it"
  recovery_window_in_days = 0
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "origin_verify" {
  secret_id     = aws_secretsmanager_secret.origin_verify.id
  secret_string = data.aws_secretsmanager_random_password.origin_verify.random_password

  # A new random value is read on every plan; the first one stays.
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name}-site"
  description                       = "CloudFront reads ${var.bucket.name}"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  name = "${var.name}-security-headers"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
    content_security_policy {
      # A CSP host takes "*" only as its first label (cognito-idp.*.amazonaws.com is dropped
      # as invalid), so the browser's sign-in calls name the user pool's region.
      content_security_policy = "default-src 'self'; img-src 'self' data:; connect-src 'self' https://cognito-idp.${data.aws_region.current.region}.amazonaws.com; frame-ancestors 'none'"
      override                = true
    }
  }
}

# Client-side routes (/products/abc) get index.html; files and /<stage>/* pass through.
# A viewer-request function rather than custom error pages, which would also
# rewrite the API's own 403/404 answers.
resource "aws_cloudfront_function" "spa" {
  name    = "${var.name}-spa-fallback"
  runtime = "cloudfront-js-2.0"
  comment = "Serve index.html for client-side routes"
  publish = true
  code    = <<-JS
    function handler(event) {
      var request = event.request;
      var last = request.uri.split("/").pop();
      if (last.indexOf(".") === -1) {
        request.uri = "/index.html";
      }
      return request;
    }
  JS
}

resource "aws_cloudfront_distribution" "this" {
  enabled             = true
  comment             = "${var.name} storefront"
  default_root_object = "index.html"
  aliases             = var.aliases
  price_class         = var.price_class
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  web_acl_id          = var.web_acl_arn
  tags                = var.tags

  origin {
    origin_id                = local.site_id
    domain_name              = var.bucket.regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  origin {
    origin_id   = local.api_id
    domain_name = var.api.domain_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }

    custom_header {
      name  = local.origin_verify_header
      value = aws_secretsmanager_secret_version.origin_verify.secret_string
    }
  }

  default_cache_behavior {
    target_origin_id           = local.site_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id

    function_association {
      event_type   = "viewer-request"
      function_arn = aws_cloudfront_function.spa.arn
    }
  }

  ordered_cache_behavior {
    path_pattern               = "/${var.api.stage_name}/*"
    target_origin_id           = local.api_id
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_disabled
    origin_request_policy_id   = local.all_viewer_except_host
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  # TLS 1.2+ with a certificate of ours. The default *.cloudfront.net certificate cannot
  # be given a minimum: CloudFront accepts TLSv1 on it whatever is set here.
  viewer_certificate {
    cloudfront_default_certificate = !local.custom_certificate_in_use
    acm_certificate_arn            = var.certificate_arn
    ssl_support_method             = local.custom_certificate_in_use ? "sni-only" : null
    minimum_protocol_version       = local.custom_certificate_in_use ? "TLSv1.2_2021" : "TLSv1"
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = var.bucket.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudFrontReadsSite"
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = "${var.bucket.arn}/*"
        Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.this.arn } }
      },
      {
        Sid       = "TlsOnly"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [var.bucket.arn, "${var.bucket.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}
