"""API Gateway REST (v1) proxy events in, proxy responses out, and the one error mapping.

`Router` is the Lambda handler of an API function: it parses the event into a
`Request`, finds the route by API Gateway's own `resource` template, checks the
admin claim, validates the path, header, query and body models the route
declares, calls the route, and turns every domain error into its status with
the body `{"error": {"code", "message", "details"?}}`. Anything unexpected is
logged with the correlation id and answered with a generic 500: bad input never
reaches that branch, since every parse and validation failure is a DomainError.

A route's declaration (`Router.route`) is the whole contract of that route:
summary, input models, success statuses with their bodies and headers, error
statuses. `storefront.openapi` builds the OpenAPI document from the routers.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar
from urllib.parse import unquote

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from storefront import auth, errors, logs
from storefront.models import describe_errors

log = logs.get_logger(__name__)

M = TypeVar("M", bound=BaseModel)

# Our largest legitimate body (a product with a 2000-character description, or a
# 50-line order) is a few KiB; API Gateway itself would accept 10 MiB.
MAX_BODY_BYTES = 64 * 1024

# The single place where a domain error becomes an HTTP status.
STATUS: dict[type[errors.DomainError], int] = {
    errors.InvalidRequestError: 400,
    errors.MalformedJsonError: 400,
    errors.InvalidCursorError: 400,
    errors.UnauthorizedError: 401,
    errors.ForbiddenError: 403,
    errors.RouteNotFoundError: 404,
    errors.ProductNotFoundError: 404,
    errors.OrderNotFoundError: 404,
    errors.MethodNotAllowedError: 405,
    errors.InsufficientStockError: 409,
    errors.PriceChangedError: 409,
    errors.CurrencyMismatchError: 409,
    errors.OrderNotCancellableError: 409,
    errors.PayloadTooLargeError: 413,
    errors.IdempotencyKeyReusedError: 422,
    errors.ServiceBusyError: 503,
}

# DynamoDB/SQS answers that mean "too busy right now" rather than "bug".
_BUSY_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_number(text: str) -> int | float:
    """JSON Schema counts 170.0 as an integer, and so do we; other fractions stay floats,
    which no field accepts (amounts are strings)."""
    value = float(text)
    return int(value) if value.is_integer() else value


def validation_error(exc: ValidationError, what: str) -> errors.InvalidRequestError:
    problems = describe_errors(exc)
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:3])
    return errors.InvalidRequestError(f"invalid {what}: {summary}", problems)


@dataclass(frozen=True)
class Request:
    method: str
    resource: str
    path: str
    path_parameters: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-cased names
    body: str | None  # as the event carries it: text, or base64 when is_base64
    is_base64: bool
    claims: Mapping[str, Any] | None
    correlation_id: str
    # The route's declared inputs once the router has validated them, by model.
    inputs: Mapping[type[BaseModel], BaseModel] = field(default_factory=dict)

    @classmethod
    def from_event(cls, event: Mapping[str, Any], fallback_id: str) -> Request:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        for name, values in (event.get("multiValueHeaders") or {}).items():
            if values:
                headers[name.lower()] = values[-1]
        # Some integrations send only the multi-value map; the last value wins, as in
        # API Gateway's single-value map.
        query = dict(event.get("queryStringParameters") or {})
        for name, values in (event.get("multiValueQueryStringParameters") or {}).items():
            if values and name not in query:
                query[name] = values[-1]
        context = event.get("requestContext") or {}
        # The caller's id when it is safe to echo and log, else API Gateway's request id.
        correlation = headers.get("x-correlation-id", "")
        if not _CORRELATION_ID.fullmatch(correlation):
            correlation = context.get("requestId") or fallback_id
        return cls(
            method=str(event.get("httpMethod", "")).upper(),
            resource=str(event.get("resource", "")),
            path=str(event.get("path", "")),
            # REST APIs pass path parameters as they appear in the URL, still %-encoded.
            path_parameters={
                name: unquote(str(value))
                for name, value in (event.get("pathParameters") or {}).items()
            },
            query=query,
            headers=headers,
            body=None if event.get("body") is None else str(event["body"]),
            is_base64=bool(event.get("isBase64Encoded")),
            claims=(context.get("authorizer") or {}).get("claims"),
            correlation_id=str(correlation),
        )

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def input(self, model: type[M]) -> M:
        """The validated value of one of the models the route declares."""
        value = self.inputs.get(model)
        if not isinstance(value, model):
            raise TypeError(f"the route does not declare {model.__name__} as an input")
        return value

    def json_body(self, model: type[M]) -> M:
        """The body parsed as JSON and validated strictly against `model` (money is text:
        a JSON number for an amount is refused)."""
        raw = self.body_bytes()
        if not raw:
            raise errors.InvalidRequestError("this request needs a JSON body")
        try:
            data = json.loads(raw, parse_float=_json_number, parse_constant=_reject_constant)
        except RecursionError:
            raise errors.MalformedJsonError("the JSON body is nested too deeply") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise errors.MalformedJsonError(f"the body is not valid JSON: {exc}") from None
        try:
            return model.model_validate(data, strict=True)
        except ValidationError as exc:
            raise validation_error(exc, "body") from None

    def body_bytes(self) -> bytes | None:
        """The body as bytes; larger than MAX_BODY_BYTES is refused before any parsing."""
        if self.body is None:
            return None
        if self.is_base64:
            try:
                raw = base64.b64decode(self.body, validate=True)
            except (binascii.Error, ValueError):
                raise errors.MalformedJsonError(
                    "the base64-encoded body cannot be decoded"
                ) from None
        else:
            raw = self.body.encode("utf-8", "surrogatepass")
        if len(raw) > MAX_BODY_BYTES:
            raise errors.PayloadTooLargeError(
                f"the body has {len(raw)} bytes; the limit is {MAX_BODY_BYTES}"
            )
        return raw

    def query_model(self, model: type[M]) -> M:
        """Query parameters validated against `model` (lax: every value arrives as text).

        An empty value is a value: `?limit=` is refused, not read as the default.
        """
        return _parameters(model, self.query, "query")

    def path_model(self, model: type[M]) -> M:
        return _parameters(model, self.path_parameters, "path")

    def header_model(self, model: type[M]) -> M:
        """The headers `model` names by alias (the HTTP name, any case); others are ignored."""
        wanted = {
            (info.alias or name): self.header(info.alias or name)
            for name, info in model.model_fields.items()
        }
        return _parameters(model, {k: v for k, v in wanted.items() if v is not None}, "header")


def _parameters(model: type[M], values: Mapping[str, str], where: str) -> M:
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        raise validation_error(exc, where) from None


@dataclass(frozen=True)
class Response:
    status: int
    body: BaseModel | Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def to_proxy(self, correlation_id: str) -> dict[str, Any]:
        headers = {"X-Correlation-Id": correlation_id, **self.headers}
        if self.body is None:
            text = ""
        else:
            headers.setdefault("Content-Type", "application/json")
            text = (
                self.body.model_dump_json()
                if isinstance(self.body, BaseModel)
                else json.dumps(self.body, separators=(",", ":"), default=str)
            )
        return {
            "statusCode": self.status,
            "headers": headers,
            "multiValueHeaders": {},
            "body": text,
            "isBase64Encoded": False,
        }


def error_response(error: errors.DomainError) -> Response:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details is not None:
        body["details"] = error.details
    headers = {"Retry-After": "1"} if isinstance(error, errors.ServiceBusyError) else {}
    if isinstance(error, errors.MethodNotAllowedError) and isinstance(error.details, dict):
        headers["Allow"] = ", ".join(error.details.get("allowed", ()))  # RFC 9110
    return Response(STATUS[type(error)], {"error": body}, headers)


RouteHandler = Callable[[Request], Response]


@dataclass(frozen=True)
class Header:
    """A response header a route sets: `required` when every answer of that status has it."""

    name: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class Reply:
    """One success status of a route: what it means, its body model, the headers it sets."""

    description: str
    body: type[BaseModel] | None = None
    headers: tuple[Header, ...] = ()


@dataclass(frozen=True)
class Route:
    """One route and its whole contract; the OpenAPI document is generated from these."""

    method: str
    resource: str
    handler: RouteHandler
    summary: str
    replies: Mapping[int, Reply]
    admin: bool = False
    path: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    # Statuses of this route's own domain errors (404, 409...); the router adds the ones
    # every route of its kind can answer: see `error_statuses`.
    errors: tuple[int, ...] = ()

    @property
    def action(self) -> str:
        """The handler's name, as admin audit lines and the OpenAPI operationId say it."""
        return self.handler.__name__

    def error_statuses(self) -> tuple[int, ...]:
        statuses = set(self.errors) | {503}
        if self.path or self.query or self.headers or self.body:
            statuses.add(400)
        if self.body is not None:
            statuses.add(413)
        if self.admin:
            statuses |= {401, 403}
        return tuple(sorted(statuses))

    def validated(self, request: Request) -> Request:
        """`request` with every declared input validated (headers and path before the body)."""
        inputs: dict[type[BaseModel], BaseModel] = {}
        if self.path is not None:
            inputs[self.path] = request.path_model(self.path)
        if self.headers is not None:
            inputs[self.headers] = request.header_model(self.headers)
        if self.query is not None:
            inputs[self.query] = request.query_model(self.query)
        if self.body is not None:
            inputs[self.body] = request.json_body(self.body)
        return replace(request, inputs=inputs)


class Router:
    """The Lambda handler of an API function: `handle = router` in its handler module."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}

    def route(
        self,
        method: str,
        resource: str,
        *,
        summary: str,
        replies: Mapping[int, Reply],
        admin: bool = False,
        path: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        headers: type[BaseModel] | None = None,
        body: type[BaseModel] | None = None,
        errors: tuple[int, ...] = (),
    ) -> Callable[[RouteHandler], RouteHandler]:
        def register(handler: RouteHandler) -> RouteHandler:
            self.routes[(method, resource)] = Route(
                method,
                resource,
                handler,
                summary,
                replies,
                admin=admin,
                path=path,
                query=query,
                headers=headers,
                body=body,
                errors=errors,
            )
            return handler

        return register

    def __call__(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        request = Request.from_event(
            event, fallback_id=str(getattr(context, "aws_request_id", None) or uuid.uuid4())
        )
        with logs.correlated(request.correlation_id, context):
            try:
                response = self._dispatch(request)
            except errors.DomainError as exc:
                response = error_response(exc)
            log.info(
                "%s %s -> %d",
                request.method,
                request.path,
                response.status,
                extra={
                    "status": response.status,
                    "resource": request.resource,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            route = self.routes.get((request.method, request.resource))
            if route is not None and route.admin:
                _audit(route, request, response.status)
        return response.to_proxy(request.correlation_id)

    def _dispatch(self, request: Request) -> Response:
        route = self.routes.get((request.method, request.resource))
        if route is None:
            allowed = sorted(m for m, r in self.routes if r == request.resource)
            if allowed:
                raise errors.MethodNotAllowedError(
                    f"{request.method} is not allowed on {request.resource}; "
                    f"allowed: {', '.join(allowed)}",
                    {"allowed": allowed},
                )
            raise errors.RouteNotFoundError(f"no route {request.method} {request.resource}")
        try:
            if route.admin:
                auth.require_admin(request.claims)
            return route.handler(route.validated(request))
        except errors.DomainError:
            raise
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _BUSY_CODES:
                log.warning("AWS is throttling: %s", exc)
                raise errors.ServiceBusyError("the store is busy; retry in a moment") from None
            log.exception("unexpected AWS error")
            return _internal_error(request)
        except Exception:
            log.exception("unexpected error")
            return _internal_error(request)


def _audit(route: Route, request: Request, status: int) -> None:
    """One line per admin request: who (Cognito sub and username) did what to which item.

    Refused attempts (401/403) are logged too: they are what a reviewer looks for.
    """
    caller = auth.caller(request.claims)
    log.info(
        "admin %s by %s -> %d",
        route.action,
        caller.username or caller.sub or "an unauthenticated caller",
        status,
        extra={
            "audit": "admin_action",
            "action": route.action,
            "route": f"{route.method} {route.resource}",
            "target": dict(request.path_parameters),
            "actor_sub": caller.sub,
            "actor_username": caller.username,
            "status": status,
        },
    )


def _internal_error(request: Request) -> Response:
    return Response(
        500,
        {
            "error": {
                "code": "internal_error",
                "message": "something went wrong on our side; quote the correlation id "
                f"{request.correlation_id} when reporting it",
            }
        },
    )
