"""A small IAM policy evaluator: enough of AWS's logic to prove our own policies offline.

What it implements, from AWS's documentation:
- Policy evaluation logic, within one account: an explicit Deny in any applicable
  policy wins; otherwise the request needs an Allow from an identity policy (or a
  resource policy naming the principal), and, when the principal has a
  permissions boundary, an Allow from the boundary too.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
- Action / NotAction (case-insensitive, `*` and `?` wildcards) and Resource /
  NotResource (ARNs compared segment by segment; a wildcard in the last segment
  spans ":" and "/").
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- Conditions: several operators are ANDed, several keys are ANDed, several values
  of one key are ORed; a key missing from the request makes a condition false,
  except for negated operators (true), `...IfExists` (true) and Null.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html

Only the condition operators our policies use are known; any other raises
UnsupportedPolicyError rather than guessing. Not modelled: policy variables,
ForAnyValue/ForAllValues, SCPs, session policies, cross-account access.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Document = Mapping[str, Any]
ContextValue = str | Sequence[str]


class Decision(StrEnum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"


class UnsupportedPolicyError(ValueError):
    """The policy uses an element or operator this evaluator does not implement."""


@dataclass(frozen=True)
class Request:
    """One API call: who, which action on which resource, and the request context."""

    action: str
    resource: str
    principal: str = "arn:aws:iam::111122223333:role/caller"
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def value(self, key: str) -> list[str] | None:
        """The context values of `key` (keys are case-insensitive), None when absent.

        aws:PrincipalArn is in every request AWS evaluates: the principal's, unless the
        context says otherwise.
        """
        wanted = key.lower()
        for name, value in self.context.items():
            if name.lower() == wanted:
                return [value] if isinstance(value, str) else list(value)
        if wanted == "aws:principalarn":
            return [self.principal]
        return None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, ignore_case=True).fullmatch(action) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    """ARN wildcard match: the first five segments one by one, the rest as one segment."""
    if pattern == "*":
        return True
    wanted, actual = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != len(actual):
        return False
    return all(
        _glob(w, ignore_case=False).fullmatch(a) is not None
        for w, a in zip(wanted, actual, strict=True)
    )


def _string_equals(policy: str, actual: str) -> bool:
    return policy == actual


def _string_like(policy: str, actual: str) -> bool:
    return _glob(policy, ignore_case=False).fullmatch(actual) is not None


def _numeric_less_than(policy: str, actual: str) -> bool:
    return float(actual) < float(policy)


def _numeric_greater_than(policy: str, actual: str) -> bool:
    return float(actual) > float(policy)


def _date(value: str) -> dt.datetime:
    if value.isdigit():
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _date_less_than(policy: str, actual: str) -> bool:
    return _date(actual) < _date(policy)


def _date_greater_than(policy: str, actual: str) -> bool:
    return _date(actual) > _date(policy)


def _bool(policy: str, actual: str) -> bool:
    return policy.lower() == actual.lower()


# operator => (match one policy value against one request value, negated)
_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (arn_matches, False),
    "ArnLike": (arn_matches, False),
    "ArnNotEquals": (arn_matches, True),
    "ArnNotLike": (arn_matches, True),
    "Bool": (_bool, False),
    "NumericLessThan": (_numeric_less_than, False),
    "NumericGreaterThan": (_numeric_greater_than, False),
    "DateLessThan": (_date_less_than, False),
    "DateGreaterThan": (_date_greater_than, False),
}


def _condition_holds(operator: str, key: str, policy_values: Any, request: Request) -> bool:
    literal = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(policy_values)]
    # A value whose policy variable the request lacks matches nothing.
    wanted = [v for v in (_substitute(value, request) for value in literal) if v is not None]
    actual = request.value(key)
    if operator == "Null":
        # Null: "true" means the key must be absent, "false" that it must be present.
        return any((actual is None) == (value.lower() == "true") for value in wanted)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in _OPERATORS:
        raise UnsupportedPolicyError(f"condition operator {operator!r} is not implemented")
    match, negated = _OPERATORS[base]
    if actual is None:
        return if_exists or negated
    if negated:
        # StringNotEquals: none of the policy values matches the request value.
        return not any(match(p, a) for p in wanted for a in actual)
    return any(match(p, a) for p in wanted for a in actual)


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], request: Request) -> bool:
    return all(
        _condition_holds(operator, key, values, request)
        for operator, block in conditions.items()
        for key, values in block.items()
    )


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substitute(pattern: str, request: Request) -> str | None:
    """Replace policy variables (${aws:PrincipalTag/workspace}); None if one is absent.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    """
    missing = False

    def value(found: re.Match[str]) -> str:
        nonlocal missing
        values = request.value(found.group(1))
        if values is None or len(values) != 1:
            missing = True
            return ""
        return values[0]

    substituted = _VARIABLE.sub(value, pattern)
    return None if missing else substituted


def _resource_matches(pattern: str, request: Request) -> bool:
    resolved = _substitute(pattern, request)
    return resolved is not None and arn_matches(resolved, request.resource)


def _principal_matches(principal: Any, request: Request) -> bool:
    """A resource or trust policy's Principal: "*", or AWS/Federated/Service naming the caller."""
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        raise UnsupportedPolicyError(f"Principal {principal!r} is not understood")
    for kind, values in principal.items():
        if kind not in ("AWS", "Federated", "Service"):
            raise UnsupportedPolicyError(f"Principal type {kind!r} is not implemented")
        for value in _as_list(values):
            if value == request.principal or (kind == "AWS" and value == "*"):
                return True
    return False


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    """Whether this statement's action, resource and conditions match the request."""
    unknown = set(statement) - {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
    }
    if unknown:
        raise UnsupportedPolicyError(f"statement elements {sorted(unknown)} are not implemented")
    if "Action" in statement:
        action_ok = any(action_matches(a, request.action) for a in _as_list(statement["Action"]))
    else:
        action_ok = not any(
            action_matches(a, request.action) for a in _as_list(statement["NotAction"])
        )
    if not action_ok:
        return False
    if "Resource" in statement:
        resource_ok = any(_resource_matches(r, request) for r in _as_list(statement["Resource"]))
    elif "NotResource" in statement:
        resource_ok = not any(
            _resource_matches(r, request) for r in _as_list(statement["NotResource"])
        )
    else:
        resource_ok = True  # a resource policy: the resource it is attached to
    return resource_ok and _conditions_hold(statement.get("Condition", {}), request)


def _statements(document: Document) -> list[Mapping[str, Any]]:
    return [dict(s) for s in _as_list(document.get("Statement", []))]


def _effects(documents: Sequence[Document], request: Request, *, resource: bool) -> set[str]:
    effects = set()
    for document in documents:
        for statement in _statements(document):
            if resource and not _principal_matches(statement.get("Principal"), request):
                continue
            if statement_applies(statement, request):
                effects.add(statement["Effect"])
    return effects


def evaluate(
    request: Request,
    identity: Sequence[Document],
    *,
    boundary: Document | None = None,
    resource: Sequence[Document] = (),
) -> Decision:
    """The decision of AWS's same-account evaluation for `request`.

    `identity`: the principal's identity policies; `boundary`: its permissions
    boundary, if any; `resource`: resource policies (key, bucket, topic). A resource
    policy statement applies when its Principal is "*" or names the principal's ARN.
    """
    identity_effects = _effects(identity, request, resource=False)
    boundary_effects = _effects([boundary], request, resource=False) if boundary else set()
    resource_effects = _effects(resource, request, resource=True)
    if "Deny" in identity_effects | boundary_effects | resource_effects:
        return Decision.EXPLICIT_DENY
    if boundary is not None and "Allow" not in boundary_effects:
        return Decision.IMPLICIT_DENY
    if "Allow" in identity_effects | resource_effects:
        return Decision.ALLOW
    return Decision.IMPLICIT_DENY
