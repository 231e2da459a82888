"""The admin check, behind API Gateway's Cognito authorizer (defence in depth).

The authorizer verifies the JWT and passes its claims in the request context.
`cognito:groups` arrives in several shapes depending on the integration: a list,
"admin", "admin,ops" or "[admin ops]"; all of them are understood here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from storefront.errors import ForbiddenError, UnauthorizedError

ADMIN_GROUP = "admin"


def groups(claims: Mapping[str, Any]) -> frozenset[str]:
    raw = claims.get("cognito:groups")
    if isinstance(raw, list | tuple):
        return frozenset(str(group) for group in raw)
    if isinstance(raw, str):
        return frozenset(part for part in re.split(r"[\s,\[\]]+", raw) if part)
    return frozenset()


def require_admin(claims: Mapping[str, Any] | None) -> None:
    if not claims:
        raise UnauthorizedError(
            "this route needs a signed-in admin: send 'Authorization: Bearer <token>' "
            "with a token from the store's Cognito user pool"
        )
    if ADMIN_GROUP not in groups(claims):
        raise ForbiddenError(f"this route is for the {ADMIN_GROUP!r} group only")


@dataclass(frozen=True)
class Caller:
    """Who sent a request, as the verified token names them (None: no or partial claims)."""

    sub: str | None
    username: str | None


def caller(claims: Mapping[str, Any] | None) -> Caller:
    """The caller's Cognito `sub` and username (ID tokens say `cognito:username`, access
    tokens `username`)."""
    if not claims:
        return Caller(None, None)
    sub = claims.get("sub")
    username = claims.get("cognito:username") or claims.get("username")
    return Caller(
        str(sub) if sub is not None else None, str(username) if username is not None else None
    )
