"""Cognito users and tokens, the same way on the emulator and on a deployed pool.

The local runtime creates its admin and shopper users with these; the
integration suite uses them to get tokens from a deployed stack's pool.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ADMIN_GROUP = "admin"


def random_password() -> str:
    # Satisfies Cognito's default policy: upper, lower, digit and symbol.
    return f"Wc-{secrets.token_urlsafe(12)}-a1A!"


def create_user(
    cognito: CognitoIdentityProviderClient,
    user_pool_id: str,
    username: str,
    password: str,
    groups: tuple[str, ...] = (),
) -> None:
    """A confirmed user with a permanent password, member of `groups`."""
    cognito.admin_create_user(
        UserPoolId=user_pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@woocom.invalid"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=user_pool_id, Username=username, Password=password, Permanent=True
    )
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=username, GroupName=group)


def id_token(
    cognito: CognitoIdentityProviderClient,
    user_pool_id: str,
    client_id: str,
    username: str,
    password: str,
) -> str:
    """The user's ID token: what API Gateway's Cognito authorizer verifies (no scopes)."""
    result = cognito.admin_initiate_auth(
        UserPoolId=user_pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    token = result.get("AuthenticationResult", {}).get("IdToken")
    if not token:
        raise RuntimeError(
            f"Cognito did not return an ID token for {username!r} (challenge: "
            f"{result.get('ChallengeName')}); the app client must allow ADMIN_USER_PASSWORD_AUTH"
        )
    return token
