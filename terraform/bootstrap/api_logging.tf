# API Gateway writes the access and execution logs of every stage through one role,
# an account setting per region rather than a stack resource: without it the stack's
# first apply fails ("CloudWatch Logs role ARN must be set in account settings").

data "aws_iam_policy_document" "api_gateway_logs_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api_gateway_logs" {
  name               = "${var.stack_name}-apigateway-logs"
  description        = "API Gateway (account setting) writes stage access and execution logs"
  assume_role_policy = data.aws_iam_policy_document.api_gateway_logs_trust.json
}

# AWS's policy for exactly this role: named log actions only, no "*" action.
resource "aws_iam_role_policy_attachment" "api_gateway_logs" {
  role       = aws_iam_role.api_gateway_logs.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  cloudwatch_role_arn = aws_iam_role.api_gateway_logs.arn

  depends_on = [aws_iam_role_policy_attachment.api_gateway_logs]
}
