output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.this.id
}

output "api_name" {
  description = "Name of the REST API (the ApiName dimension of its metrics)."
  value       = aws_api_gateway_rest_api.this.name
}

output "execution_arn" {
  description = "Execution ARN, for Lambda invoke permissions."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "authorizer_id" {
  description = "Cognito authorizer of the admin routes."
  value       = aws_api_gateway_authorizer.admin.id
}

output "resource_ids" {
  description = "API resource id by path (\"/\" included)."
  value       = local.resource_ids
}

output "api_url" {
  description = "Invoke URL of the stage, e.g. https://abc.execute-api.us-east-1.amazonaws.com/api."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "domain_name" {
  description = "Host of the API's invoke URL (a CloudFront origin)."
  value       = "${aws_api_gateway_rest_api.this.id}.execute-api.${data.aws_region.current.region}.amazonaws.com"
}

output "stage_name" {
  description = "Name of the stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "user_pool_id" {
  description = "Cognito user pool of the admins."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "user_pool_client_id" {
  description = "App client the frontend signs in with."
  value       = aws_cognito_user_pool_client.this.id
}

output "user_pool_mfa_configuration" {
  description = "MFA of the admin user pool: ON (required) or OPTIONAL."
  value       = aws_cognito_user_pool.this.mfa_configuration
}

output "integration_client_id" {
  description = "App client allowing ADMIN_USER_PASSWORD_AUTH (integration suite's tokens); null where off (production)."
  value       = try(aws_cognito_user_pool_client.integration[0].id, null)
}

output "auth_flows" {
  description = "Explicit auth flows of every app client of the pool, by client name."
  value = merge(
    { (aws_cognito_user_pool_client.this.name) = aws_cognito_user_pool_client.this.explicit_auth_flows },
    { for client in aws_cognito_user_pool_client.integration : client.name => client.explicit_auth_flows },
  )
}
