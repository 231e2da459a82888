"""The admin check, behind API Gateway's Cognito authorizer (defence in depth).

The authorizer verifies the JWT and passes its claims in the request context.
`cognito:groups` arrives in several shapes depending on the integration: a list,
"admin", "admin,ops" or "[admin ops]"; all of them are understood here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
