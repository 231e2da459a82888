# Every IAM document of one account, as data: the bootstrap root attaches them, and
# `nox -s iam` renders them for sample accounts and proves what they allow and deny
# (src/woocom/iam). A "scope" is what one identity may manage: a deploy environment's
# workspace pattern (staging, pr-*) or one developer's dev-<name>.

locals {
  partition      = "aws"
  region_account = "${var.region}:${var.account_id}"
  iam            = "arn:${local.partition}:iam::${var.account_id}"
  state_bucket   = "arn:${local.partition}:s3:::${var.state_bucket}"

  scopes = merge(
    { for environment, pattern in var.deploy_environments : environment => pattern },
    { for name, _ in var.developers : "dev-${name}" => "dev-${name}" },
  )
  # One boundary per deploy environment; one for all developers, scoped per role by
  # the role's own workspace tag, which a developer can only set to their own stack.
  boundary_names = merge(
    { for environment, _ in var.deploy_environments : environment => "${var.stack_name}-boundary-${environment}" },
    length(var.developers) > 0 ? { developer = "${var.stack_name}-boundary-developer" } : {},
  )
  boundary_patterns = merge(
    var.deploy_environments,
    length(var.developers) > 0 ? { developer = "$${aws:PrincipalTag/workspace}" } : {},
  )
  scope_boundary = { for scope, _ in local.scopes : scope => startswith(scope, "dev-") ? "developer" : scope }
  boundary_arns  = { for scope, boundary in local.scope_boundary : scope => "${local.iam}:policy/${local.boundary_names[boundary]}" }
  # scope => the resource names it owns. An IAM wildcard also spans "/" and ":", so one
  # pattern covers a table's indexes, a function's versions and a log group's streams.
  owned = { for scope, pattern in local.scopes : scope => "${var.stack_name}-${pattern}-*" }

  # Every role the stack creates must carry its scope's boundary (finding 1); IAM sets
  # iam:PermissionsBoundary on exactly these actions.
  role_permission_actions = [
    "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy",
    "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary",
  ]
  state_key_use = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
  # What AWS Chatbot reads to post an alarm with its graph (modules/alarms' chatbot role).
  alarm_channel_alarm_reads  = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
  alarm_channel_metric_reads = ["cloudwatch:GetMetricWidgetImage", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"]
  # What the integration suite does to mint its tokens on a deployed non-production pool
  # (tests/integration/support.py); production's identity may do none of it.
  test_user_actions = [
    "cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword", "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminInitiateAuth", "cognito-idp:AdminDeleteUser",
  ]

  stack_policies = { for scope, pattern in local.scopes : scope => jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "StateList"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = local.state_bucket
        # Only this scope's workspaces (and the env:/ listing Terraform does to find them).
        Condition = { StringLike = { "s3:prefix" = ["env:/${pattern}/*", "env:/", ""] } }
      },
      {
        Sid      = "StateObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "${local.state_bucket}/env:/${pattern}/${var.state_key}*"
      },
      {
        Sid      = "StateKeyUse"
        Effect   = "Allow"
        Action   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]
        Resource = var.state_kms_key_arn
      },
      {
        Sid    = "OwnedByName"
        Effect = "Allow"
        Action = ["dynamodb:*", "sqs:*", "sns:*", "events:*", "s3:*", "lambda:*", "secretsmanager:*", "cloudwatch:*", "logs:*"]
        Resource = [
          "arn:${local.partition}:dynamodb:${local.region_account}:table/${local.owned[scope]}",
          "arn:${local.partition}:sqs:${local.region_account}:${local.owned[scope]}",
          "arn:${local.partition}:sns:${local.region_account}:${local.owned[scope]}",
          "arn:${local.partition}:events:${local.region_account}:rule/${local.owned[scope]}",
          "arn:${local.partition}:s3:::${local.owned[scope]}",
          "arn:${local.partition}:lambda:${local.region_account}:function:${local.owned[scope]}",
          "arn:${local.partition}:secretsmanager:${local.region_account}:secret:${local.owned[scope]}",
          "arn:${local.partition}:cloudwatch:${local.region_account}:alarm:${local.owned[scope]}",
          "arn:${local.partition}:logs:${local.region_account}:log-group:/aws/lambda/${local.owned[scope]}",
          # The API's access log group is /aws/apigateway/<stack>-<workspace>/access (finding 4).
          "arn:${local.partition}:logs:${local.region_account}:log-group:/aws/apigateway/${var.stack_name}-${pattern}/*",
        ]
      },
      {
        # Creating one names no resource ARN; the function it feeds is the condition.
        Sid      = "EventSourceMappings"
        Effect   = "Allow"
        Action   = ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping"]
        Resource = ["*", "arn:${local.partition}:lambda:${local.region_account}:event-source-mapping:*"]
        Condition = { ArnLike = {
          "lambda:FunctionArn" = "arn:${local.partition}:lambda:${local.region_account}:function:${local.owned[scope]}"
        } }
      },
      {
        Sid    = "FunctionRoles"
        Effect = "Allow"
        Action = [
          "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
          "iam:UntagRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
          "iam:ListInstanceProfilesForRole",
        ]
        Resource = "${local.iam}:role/${local.owned[scope]}"
      },
      {
        Sid       = "FunctionRolePermissionsUnderBoundary"
        Effect    = "Allow"
        Action    = local.role_permission_actions
        Resource  = "${local.iam}:role/${local.owned[scope]}"
        Condition = { StringEquals = { "iam:PermissionsBoundary" = local.boundary_arns[scope] } }
      },
      {
        Sid       = "PassFunctionRoles"
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "${local.iam}:role/${local.owned[scope]}"
        Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
      },
      # The render-check canary (modules/canary), named after its workspace: Synthetics
      # creates its function and layer (cwsyn-<canary name>-<id>) with the caller's permissions.
      {
        Sid    = "Canaries"
        Effect = "Allow"
        Action = [
          "synthetics:CreateCanary", "synthetics:GetCanary", "synthetics:GetCanaryRuns", "synthetics:UpdateCanary",
          "synthetics:DeleteCanary", "synthetics:StartCanary", "synthetics:StopCanary", "synthetics:TagResource",
          "synthetics:UntagResource", "synthetics:ListTagsForResource",
        ]
        Resource = "arn:${local.partition}:synthetics:${local.region_account}:canary:${var.stack_name}-${pattern}"
      },
      {
        Sid    = "CanaryFunctions"
        Effect = "Allow"
        Action = [
          "lambda:CreateFunction", "lambda:GetFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
          "lambda:DeleteFunction", "lambda:AddPermission", "lambda:RemovePermission", "lambda:TagResource",
          "lambda:PublishLayerVersion", "lambda:GetLayerVersion", "lambda:DeleteLayerVersion",
        ]
        Resource = [
          "arn:${local.partition}:lambda:${local.region_account}:function:cwsyn-${local.owned[scope]}",
          "arn:${local.partition}:lambda:${local.region_account}:layer:cwsyn-${local.owned[scope]}",
        ]
      },
      {
        Sid       = "PassCanaryRole"
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "${local.iam}:role/${var.stack_name}-${pattern}-canary"
        Condition = { StringEquals = { "iam:PassedToService" = ["lambda.amazonaws.com", "synthetics.amazonaws.com"] } }
      },
      {
        # The alarms module's dashboard is named after the workspace itself.
        Sid      = "Dashboards"
        Effect   = "Allow"
        Action   = ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]
        Resource = "arn:${local.partition}:cloudwatch::${var.account_id}:dashboard/${var.stack_name}-${pattern}"
      },
      {
        # Logs Insights query definitions have no ARN (reviewed-findings.yaml).
        Sid      = "QueryDefinitions"
        Effect   = "Allow"
        Action   = ["logs:PutQueryDefinition", "logs:DescribeQueryDefinitions", "logs:DeleteQueryDefinition"]
        Resource = "*"
      },
      {
        Sid    = "SlackChannels"
        Effect = "Allow"
        Action = [
          "chatbot:CreateSlackChannelConfiguration", "chatbot:UpdateSlackChannelConfiguration",
          "chatbot:DeleteSlackChannelConfiguration", "chatbot:TagResource", "chatbot:UntagResource",
          "chatbot:ListTagsForResource",
        ]
        Resource = "arn:${local.partition}:chatbot::${var.account_id}:chat-configuration/slack-channel/${local.owned[scope]}"
      },
      {
        Sid       = "PassChatbotRole"
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "${local.iam}:role/${var.stack_name}-${pattern}-alarms-chatbot"
        Condition = { StringEquals = { "iam:PassedToService" = "chatbot.amazonaws.com" } }
      },
      # Generated ids (REST APIs, user pools, distributions, keys): scoped by the
      # workspace tag the stack's provider puts on everything (finding 3). Creating
      # needs the tag on the request, changing needs it on the resource.
      {
        Sid       = "CreateTaggedResources"
        Effect    = "Allow"
        Action    = ["cognito-idp:CreateUserPool", "kms:CreateKey"]
        Resource  = "*"
        Condition = { StringLike = { "aws:RequestTag/workspace" = pattern } }
      },
      {
        Sid       = "CreateTaggedDistributions"
        Effect    = "Allow"
        Action    = "cloudfront:CreateDistribution"
        Resource  = "arn:${local.partition}:cloudfront::${var.account_id}:distribution/*"
        Condition = { StringLike = { "aws:RequestTag/workspace" = pattern } }
      },
      {
        Sid    = "TaggedResources"
        Effect = "Allow"
        Action = [
          "cognito-idp:*", "cloudfront:*",
          "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
          "kms:ListResourceTags", "kms:ScheduleKeyDeletion", "kms:Decrypt", "kms:GenerateDataKey",
        ]
        Resource = [
          "arn:${local.partition}:cognito-idp:${local.region_account}:userpool/*",
          "arn:${local.partition}:cloudfront::${var.account_id}:distribution/*",
          "arn:${local.partition}:kms:${local.region_account}:key/*",
        ]
        Condition = { StringLike = { "aws:ResourceTag/workspace" = pattern } }
      },
      {
        # Tags of a key or distribution may change (git_sha does on every deploy) but
        # never move the resource into another workspace.
        Sid    = "RetagOwnResources"
        Effect = "Allow"
        Action = ["kms:TagResource", "kms:UntagResource", "cloudfront:TagResource", "cloudfront:UntagResource", "cognito-idp:TagResource", "cognito-idp:UntagResource"]
        Resource = [
          "arn:${local.partition}:cognito-idp:${local.region_account}:userpool/*",
          "arn:${local.partition}:cloudfront::${var.account_id}:distribution/*",
          "arn:${local.partition}:kms:${local.region_account}:key/*",
        ]
        Condition = {
          StringLike         = { "aws:ResourceTag/workspace" = pattern }
          StringLikeIfExists = { "aws:RequestTag/workspace" = pattern }
        }
      },
      {
        Sid       = "CreateApi"
        Effect    = "Allow"
        Action    = "apigateway:POST"
        Resource  = "arn:${local.partition}:apigateway:${var.region}::/restapis"
        Condition = { StringLike = { "aws:RequestTag/workspace" = pattern } }
      },
      {
        Sid    = "TaggedApis"
        Effect = "Allow"
        Action = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE", "apigateway:SetWebACL"]
        Resource = [
          "arn:${local.partition}:apigateway:${var.region}::/restapis/*",
          "arn:${local.partition}:apigateway:${var.region}::/tags/*",
        ]
        Condition = { StringLike = { "aws:ResourceTag/workspace" = pattern } }
      },
      {
        # Web ACL ARNs carry the name: scoped like every named resource. CLOUDFRONT
        # scope ACLs live in us-east-1 as global/webacl.
        Sid    = "WebAcls"
        Effect = "Allow"
        Action = ["wafv2:*"]
        Resource = [
          "arn:${local.partition}:wafv2:${local.region_account}:regional/webacl/${local.owned[scope]}",
          "arn:${local.partition}:wafv2:us-east-1:${var.account_id}:global/webacl/${local.owned[scope]}",
        ]
      },
      {
        Sid      = "CloudFrontFunctions"
        Effect   = "Allow"
        Action   = "cloudfront:*"
        Resource = "arn:${local.partition}:cloudfront::${var.account_id}:function/${local.owned[scope]}"
      },
      {
        # Origin access controls and response headers policies have neither names in
        # their ARNs nor tags: the residual access the README states.
        Sid    = "UntaggableCdnParts"
        Effect = "Allow"
        Action = [
          "cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl",
          "cloudfront:CreateResponseHeadersPolicy", "cloudfront:GetResponseHeadersPolicy", "cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy",
        ]
        Resource = [
          "arn:${local.partition}:cloudfront::${var.account_id}:origin-access-control/*",
          "arn:${local.partition}:cloudfront::${var.account_id}:response-headers-policy/*",
        ]
      },
      {
        # Actions AWS authorizes on "*" only (List/Describe, managed rule sets and
        # AWS managed cache policies).
        Sid    = "Discovery"
        Effect = "Allow"
        Action = [
          "cognito-idp:ListUserPools", "cloudfront:ListDistributions", "cloudfront:ListOriginAccessControls",
          "cloudfront:CreateOriginAccessControl",
          "cloudfront:ListCachePolicies", "cloudfront:ListResponseHeadersPolicies", "logs:DescribeLogGroups",
          "lambda:ListEventSourceMappings", "acm:ListCertificates",
          "wafv2:ListWebACLs", "wafv2:DescribeManagedRuleGroup", "wafv2:ListAvailableManagedRuleGroups",
          "wafv2:CheckCapacity", "wafv2:GetWebACLForResource", "secretsmanager:ListSecrets",
          "secretsmanager:GetRandomPassword", "chatbot:DescribeSlackChannelConfigurations",
        ]
        Resource = "*"
      },
      ],
      # A developer's roles get the shared developer boundary, which reads the role's
      # workspace tag: so that tag must be their own workspace, set at creation, never moved.
      startswith(scope, "dev-") ? [
        {
          Sid       = "DenyRolesOutsideOwnWorkspace"
          Effect    = "Deny"
          Action    = "iam:CreateRole"
          Resource  = "*"
          Condition = { StringNotEquals = { "aws:RequestTag/workspace" = pattern } }
        },
        {
          Sid      = "DenyMovingRolesToAnotherWorkspace"
          Effect   = "Deny"
          Action   = "iam:TagRole"
          Resource = "*"
          Condition = {
            Null            = { "aws:RequestTag/workspace" = "false" }
            StringNotEquals = { "aws:RequestTag/workspace" = pattern }
          }
        },
      ] : [],
      # Production's users are real people: no deploy identity creates, signs in or
      # deletes users there (the stack has no admin-auth client on production either).
      scope == "production" ? [
        {
          Sid      = "DenyTestUsersInProduction"
          Effect   = "Deny"
          Action   = local.test_user_actions
          Resource = "*"
        },
      ] : [],
      [
        {
          # AWS managed cache and origin request policies, and the site's certificate.
          Sid    = "SharedDefinitions"
          Effect = "Allow"
          Action = ["cloudfront:GetCachePolicy", "cloudfront:GetOriginRequestPolicy", "acm:DescribeCertificate"]
          Resource = [
            "arn:${local.partition}:cloudfront::${var.account_id}:cache-policy/*",
            "arn:${local.partition}:cloudfront::${var.account_id}:origin-request-policy/*",
            "arn:${local.partition}:acm:us-east-1:${var.account_id}:certificate/*",
            "arn:${local.partition}:cloudwatch:${local.region_account}:alarm:${local.owned[scope]}",
          ]
        },
        # --- what no deploy or developer identity may do, whatever else allows it ---------
        {
          Sid       = "DenyRolesWithoutBoundary"
          Effect    = "Deny"
          Action    = local.role_permission_actions
          Resource  = "*"
          Condition = { StringNotEquals = { "iam:PermissionsBoundary" = local.boundary_arns[scope] } }
        },
        {
          Sid      = "DenyBoundaryRemoval"
          Effect   = "Deny"
          Action   = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"]
          Resource = "*"
        },
        {
          Sid    = "DenyBoundaryChanges"
          Effect = "Deny"
          Action = [
            "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy",
          ]
          Resource = "${local.iam}:policy/${var.stack_name}-boundary-*"
        },
        {
          # The state key only encrypts and decrypts, for everyone but the bootstrap admin (finding 2).
          Sid       = "DenyStateKeyAdministration"
          Effect    = "Deny"
          NotAction = local.state_key_use
          Resource  = var.state_kms_key_arn
        },
    ])
  }) }

  # The canary's role of each boundary's workspaces (modules/canary: <canary name>-canary).
  canary_roles = { for boundary, pattern in local.boundary_patterns : boundary => "${local.iam}:role/${var.stack_name}-${pattern}-canary" }

  # The most any role a scope's stack creates can do: its own workspace's data and logs,
  # read its alarms and metrics (the Slack channel's role), and run its render check (the
  # canary's role).
  boundaries = { for boundary, pattern in local.boundary_patterns : boundary => jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "WorkspaceData"
        Effect = "Allow"
        Action = [
          "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
          "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
          "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
          "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation",
          "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
        ]
        Resource = [
          "arn:${local.partition}:dynamodb:${local.region_account}:table/${var.stack_name}-${pattern}-*",
          "arn:${local.partition}:sqs:${local.region_account}:${var.stack_name}-${pattern}-*",
          "arn:${local.partition}:s3:::${var.stack_name}-${pattern}-*",
          "arn:${local.partition}:secretsmanager:${local.region_account}:secret:${var.stack_name}-${pattern}-*",
          "arn:${local.partition}:ssm:${local.region_account}:parameter/${var.stack_name}/${pattern}/*",
        ]
      },
      {
        Sid      = "WorkspaceLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "arn:${local.partition}:logs:${local.region_account}:log-group:/aws/lambda/${var.stack_name}-${pattern}-*"
      },
      # The canary's role (modules/canary, <stack>-<workspace>-canary) and no other: the
      # function Synthetics runs it as logs to its own group, lists buckets and publishes
      # run metrics.
      {
        Sid       = "RenderCheckLogs"
        Effect    = "Allow"
        Action    = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource  = "arn:${local.partition}:logs:${local.region_account}:log-group:/aws/lambda/cwsyn-${var.stack_name}-${pattern}-*"
        Condition = { StringLike = { "aws:PrincipalArn" = local.canary_roles[boundary] } }
      },
      {
        # No resource ARN for either: ListAllMyBuckets reveals bucket names only, and the
        # metrics are held to the Synthetics namespace.
        Sid       = "RenderCheckListBuckets"
        Effect    = "Allow"
        Action    = "s3:ListAllMyBuckets"
        Resource  = "*"
        Condition = { StringLike = { "aws:PrincipalArn" = local.canary_roles[boundary] } }
      },
      {
        Sid      = "RenderCheckMetrics"
        Effect   = "Allow"
        Action   = "cloudwatch:PutMetricData"
        Resource = "*"
        Condition = {
          StringEquals = { "cloudwatch:namespace" = "CloudWatchSynthetics" }
          StringLike   = { "aws:PrincipalArn" = local.canary_roles[boundary] }
        }
      },
      # The Slack channel's role (modules/alarms, <stack>-<workspace>-alarms-chatbot): AWS
      # Chatbot reads the alarm it posts and draws its metric. Read only, never a change.
      {
        Sid      = "AlarmChannelRead"
        Effect   = "Allow"
        Action   = local.alarm_channel_alarm_reads
        Resource = "arn:${local.partition}:cloudwatch:${local.region_account}:alarm:${var.stack_name}-${pattern}-*"
      },
      {
        # Metric reads have no resource type in IAM: "*" is the only resource they take.
        Sid      = "AlarmChannelMetrics"
        Effect   = "Allow"
        Action   = local.alarm_channel_metric_reads
        Resource = "*"
      },
    ]
  }) }

  # --- who may assume what ---------------------------------------------------------------

  # GitHub's default subject (repo:<r>:environment:<e>) names no branch. The repository's
  # OIDC subject template adds the ref (README), so staging and production trust main only.
  deploy_trusts = { for environment, _ in var.deploy_environments : environment => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubEnvironment"
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = var.github_oidc_provider_arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike = { "token.actions.githubusercontent.com:sub" = (
          contains(var.main_only_environments, environment)
          ? "repo:${var.github_repository}:environment:${environment}:ref:refs/heads/main"
          : "repo:${var.github_repository}:environment:${environment}:ref:refs/*"
        ) }
      }
    }]
  }) }

  mfa_within = { Bool = { "aws:MultiFactorAuthPresent" = "true" }, NumericLessThan = { "aws:MultiFactorAuthAge" = "3600" } }

  developer_trusts = { for name, principal in var.developers : "dev-${name}" => jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnePersonWithMfa"
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:SetSourceIdentity"]
      Principal = { AWS = principal }
      Condition = local.mfa_within
    }]
  }) }

  # No standing access: `woocom access-request grant` adds one statement per grant, for
  # one person, until a time IAM itself enforces (src/woocom/iam/access.py).
  break_glass_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "NoStandingAccess"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${local.partition}:iam::${var.account_id}:root" }
      Condition = { DateLessThan = { "aws:CurrentTime" = "2000-01-01T00:00:00Z" } }
    }]
  })

  break_glass_role_arn = "${local.iam}:role/${var.stack_name}-break-glass"

  # Stop or remove a misbehaving function, and read what it logged. Nothing else.
  break_glass = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "StopFunctions"
        Effect = "Allow"
        Action = [
          "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:PutFunctionConcurrency",
          "lambda:DeleteFunctionConcurrency", "lambda:DeleteFunction",
        ]
        Resource = "arn:${local.partition}:lambda:${local.region_account}:function:${var.stack_name}-*"
      },
      {
        Sid       = "StopTriggers"
        Effect    = "Allow"
        Action    = "lambda:UpdateEventSourceMapping"
        Resource  = "arn:${local.partition}:lambda:${local.region_account}:event-source-mapping:*"
        Condition = { ArnLike = { "lambda:FunctionArn" = "arn:${local.partition}:lambda:${local.region_account}:function:${var.stack_name}-*" } }
      },
      {
        Sid      = "ReadLogs"
        Effect   = "Allow"
        Action   = ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:DescribeLogStreams"]
        Resource = "arn:${local.partition}:logs:${local.region_account}:log-group:/aws/lambda/${var.stack_name}-*"
      },
      {
        # Actions that take no resource ARN (GetQueryResults reads a query by its id).
        Sid      = "List"
        Effect   = "Allow"
        Action   = ["lambda:ListFunctions", "lambda:ListEventSourceMappings", "logs:DescribeLogGroups", "logs:GetQueryResults"]
        Resource = "*"
      },
    ]
  })

  approver_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ApproversWithMfa"
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:SetSourceIdentity"]
      Principal = { AWS = length(var.break_glass_approvers) > 0 ? var.break_glass_approvers : ["arn:${local.partition}:iam::${var.account_id}:root"] }
      Condition = merge(local.mfa_within, { Null = { "sts:SourceIdentity" = "false" } })
    }]
  })

  # Granting is rewriting the break-glass trust and recording the grant in its tags.
  approver = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "GrantBreakGlass"
      Effect   = "Allow"
      Action   = ["iam:GetRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags"]
      Resource = local.break_glass_role_arn
    }]
  })

  # --- resource policies ---------------------------------------------------------------

  state_key = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Action    = "kms:*"
        Resource  = "*"
        Principal = { AWS = "arn:${local.partition}:iam::${var.account_id}:root" }
      },
      {
        # Every role this project creates is named <stack>-...: none of them may do
        # more than use the key, whatever its IAM policy says (finding 2).
        Sid       = "ProjectRolesOnlyUseTheKey"
        Effect    = "Deny"
        NotAction = local.state_key_use
        Resource  = "*"
        Principal = { AWS = "*" }
        Condition = { ArnLike = { "aws:PrincipalArn" = "${local.iam}:role/${var.stack_name}-*" } }
      },
    ]
  })

  state_bucket_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TlsOnly"
      Effect    = "Deny"
      Action    = "s3:*"
      Resource  = [local.state_bucket, "${local.state_bucket}/*"]
      Principal = { AWS = "*" }
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  alert_topic = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "EventBridgePublishes"
      Effect    = "Allow"
      Action    = "sns:Publish"
      Resource  = var.alert_topic_arn
      Principal = { Service = "events.amazonaws.com" }
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })

  alert_key = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Action    = "kms:*"
        Resource  = "*"
        Principal = { AWS = "arn:${local.partition}:iam::${var.account_id}:root" }
      },
      {
        Sid       = "EventBridgeEncrypts"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Principal = { Service = "events.amazonaws.com" }
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      },
    ]
  })
}
