"""The integration suite's own users on a deployed non-production pool (moto's Cognito):
tokens minted through the admin-auth client, the admin in its group, users reused after
a run that died and removed at the end."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.integration.support import SUITE_USER_PREFIX, SuiteUsers
from woocom.local.cognito import ADMIN_GROUP


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


@pytest.fixture
def pool() -> Iterator[tuple[Any, str, str]]:
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="us-east-1")
        pool_id = cognito.create_user_pool(PoolName="woocom-pr-7")["UserPool"]["Id"]
        cognito.create_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP)
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="woocom-pr-7-integration",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        yield cognito, pool_id, client_id


def usernames(cognito: Any, pool_id: str) -> set[str]:
    return {user["Username"] for user in cognito.list_users(UserPoolId=pool_id)["Users"]}


def test_mints_an_admin_and_a_shopper_token_then_removes_both(pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, client_id = pool
    users = SuiteUsers(cognito, pool_id, client_id)

    admin = claims(users.token("admin", (ADMIN_GROUP,)))
    shopper = claims(users.token("shopper"))

    assert admin["cognito:groups"] == [ADMIN_GROUP]
    assert "cognito:groups" not in shopper
    assert {admin["cognito:username"], shopper["cognito:username"]} == {
        f"{SUITE_USER_PREFIX}admin",
        f"{SUITE_USER_PREFIX}shopper",
    }
    users.delete()
    assert usernames(cognito, pool_id) == set()


def test_reuses_users_a_dead_run_left_and_removes_them(pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, client_id = pool
    SuiteUsers(cognito, pool_id, client_id).token("admin", (ADMIN_GROUP,))  # never deleted

    users = SuiteUsers(cognito, pool_id, client_id)
    assert claims(users.token("admin", (ADMIN_GROUP,)))["cognito:groups"] == [ADMIN_GROUP]
    users.delete()
    assert usernames(cognito, pool_id) == set()


def test_leaves_everyone_else_in_the_pool(pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, client_id = pool
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    users = SuiteUsers(cognito, pool_id, client_id)
    users.token("shopper")
    users.delete()
    users.delete()  # twice (another run removed them first): no error
    assert usernames(cognito, pool_id) == {"alice"}
