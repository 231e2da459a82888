"""The Cognito authorizer of the deployed REST API, reproduced for the local API server.

API Gateway verifies the `Authorization` header (an ID token of the user pool:
signature against the pool's JWKS, issuer, audience, expiry) and on success
hands the claims to the function at `requestContext.authorizer.claims`, every
value a string. It never checks groups: the handler answers 403 itself.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class UnauthorizedError(Exception):
    """The request carries no valid token: API Gateway answers 401."""


class CognitoAuthorizer:
    def __init__(self, endpoint_url: str, region: str, user_pool_id: str, client_id: str) -> None:
        self.jwks_url = f"{endpoint_url}/{user_pool_id}/.well-known/jwks.json"
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.client_id = client_id
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def keys(self) -> KeySet:
        # Fetched once, like API Gateway caches a pool's keys.
        with self._lock:
            if self._keys is None:
                with urllib.request.urlopen(self.jwks_url, timeout=5) as response:  # noqa: S310
                    self._keys = KeySet.import_key_set(json.loads(response.read()))
            return self._keys

    def claims(self, authorization: str | None) -> dict[str, str]:
        """Verified claims of the header's token, formatted as API Gateway passes them."""
        if not authorization:
            raise UnauthorizedError("missing Authorization header: send 'Bearer <ID token>'")
        # The scheme is case-insensitive (RFC 9110 section 11.1): "bearer x" is "Bearer x".
        scheme, _, credentials = authorization.strip().partition(" ")
        token = credentials.strip() if scheme.lower() == "bearer" else authorization.strip()
        try:
            decoded = jwt.decode(token, self.keys(), algorithms=["RS256"])
        except (JoseError, ValueError) as exc:
            raise UnauthorizedError(f"not a valid JWT of this user pool: {exc}") from None
        claims = decoded.claims
        if claims.get("iss") != self.issuer:
            raise UnauthorizedError(f"issued by {claims.get('iss')!r}, not by this user pool")
        if claims.get("token_use") != "id":
            raise UnauthorizedError("send the ID token, not the access token")
        if claims.get("aud") != self.client_id:
            raise UnauthorizedError("the token was issued to another app client")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            raise UnauthorizedError("the token has expired: read a fresh one from the outputs file")
        return {key: _as_string(value) for key, value in claims.items()}


def _as_string(value: Any) -> str:
    # API Gateway (REST) flattens every claim to a string; a list becomes comma-joined.
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)
