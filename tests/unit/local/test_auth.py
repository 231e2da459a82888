"""The Cognito authorizer against tokens signed with the emulator's own key."""

from __future__ import annotations

import gzip
import json
import time
from importlib.resources import files
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from woocom.emulated import REGION
from woocom.local.auth import CognitoAuthorizer, UnauthorizedError

POOL = "us-east-1_pool"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"


def moto_keys(name: str) -> dict[str, Any]:
    """moto signs its tokens with the private key; the emulator serves the public one."""
    raw = files("moto").joinpath(f"cognitoidp/resources/jwks-{name}.json.gz").read_bytes()
    keys: dict[str, Any] = json.loads(gzip.decompress(raw))
    return keys


MOTO_KEYS = moto_keys("private")
PUBLIC_KEYS = moto_keys("public")


class OfflineAuthorizer(CognitoAuthorizer):
    def keys(self) -> KeySet:
        return KeySet.import_key_set(PUBLIC_KEYS)  # type: ignore[arg-type]


@pytest.fixture
def authorizer() -> CognitoAuthorizer:
    return OfflineAuthorizer("http://unused", REGION, POOL, "client-1")


def token(**overrides: Any) -> str:
    claims = {
        "iss": ISSUER,
        "aud": "client-1",
        "token_use": "id",
        "exp": int(time.time()) + 600,
        "cognito:username": "ana",
        "cognito:groups": ["admin", "ops"],
        **overrides,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, RSAKey.import_key(MOTO_KEYS))


def test_valid_token_gives_string_claims(authorizer: CognitoAuthorizer) -> None:
    claims = authorizer.claims(f"Bearer {token()}")
    assert claims["cognito:groups"] == "admin,ops"
    assert claims["cognito:username"] == "ana"
    assert claims["exp"].isdigit()


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "Bearer  "])
def test_the_bearer_scheme_is_case_insensitive(authorizer: CognitoAuthorizer, scheme: str) -> None:
    assert authorizer.claims(f"{scheme} {token()}")["cognito:username"] == "ana"


def test_bare_token_without_bearer_is_accepted(authorizer: CognitoAuthorizer) -> None:
    # API Gateway's Cognito authorizer takes the header value as the token.
    assert authorizer.claims(token())["aud"] == "client-1"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 1}, "expired"),
        ({"exp": None}, "expired"),
        ({"token_use": "access"}, "ID token"),
        ({"aud": "client-2"}, "another app client"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/other"}, "not by this user pool"),
    ],
)
def test_invalid_tokens_are_refused_with_the_reason(
    authorizer: CognitoAuthorizer, overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(UnauthorizedError, match=reason):
        authorizer.claims(f"Bearer {token(**overrides)}")


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Bearer a.b.c"])
def test_missing_or_malformed_header_is_refused(
    authorizer: CognitoAuthorizer, header: str | None
) -> None:
    with pytest.raises(UnauthorizedError):
        authorizer.claims(header)
