"""The local API server: API Gateway (REST, Lambda proxy) and the CloudFront site in one port.

Each request to a route declared in `stack.yaml` becomes a REST v1 proxy event
for the real handler, called in this process. Admin routes go through the same
Cognito check as the deployed API first. Like the distribution in front of the
deployed stack, the routes also answer under `/api/*`, and any other GET serves
the `site` bucket with the single-page-app fallback to `index.html`.

One port serves both, so the site answers in two ways: a browser navigation (a
GET whose Accept header asks for HTML) outside `/api/` gets the site with the SPA
fallback, even when the path is also an API route (the storefront's own
`/products/...` pages load); any other GET gets a site object only when it exists
and no route matches, so API clients still see JSON 404s.
"""

from __future__ import annotations

import base64
import errno
import ipaddress
import json
import logging
import mimetypes
import re
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from woocom.config import Auth, Stack
from woocom.local.auth import UnauthorizedError
from woocom.local.threads import STOP_TIMEOUT, join

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger("woocom.local")

API_PREFIX = "/api"
# API Gateway rejects larger payloads before the function runs.
MAX_BODY_BYTES = 10 * 1024 * 1024
# Connections the kernel queues before the server accepts them. The stdlib server's 5 reset
# clients past a handful of simultaneous connects; the kernel caps this at
# net.core.somaxconn (4096 on current Linux).
LISTEN_BACKLOG = 1024


class PortInUseError(OSError):
    """The API port is taken: another `nox -s dev`, or another program."""


@dataclass(frozen=True)
class Route:
    function: str
    method: str
    resource: str  # "/products/{sku}", as API Gateway names it
    auth: Auth
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return json_response(status, {"error": error})


def _no_route(method: str, path: str) -> Response:
    shown = path.encode("unicode_escape").decode("ascii")
    return error_response(404, "route_not_found", f"no route for {method} {shown}")


def _method_not_allowed(method: str, path: str, allowed: list[str]) -> Response:
    response = error_response(
        405,
        "method_not_allowed",
        f"{method} is not allowed on {path}; allowed: {', '.join(allowed)}",
    )
    # The preflight is answered on every route too, so it belongs in Allow.
    allow = ", ".join([*allowed, "OPTIONS"])
    return Response(405, [*response.headers, ("Allow", allow)], response.body)


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def json_response(status: int, payload: Any) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(payload).encode())


def _path_pattern(resource: str) -> re.Pattern[str]:
    """ "/products/{sku}" -> a regex with a named group per parameter."""
    escaped = re.escape(resource)
    return re.compile("^" + re.sub(r"\\\{([a-z_]+)\\\}", r"(?P<\1>[^/]+)", escaped) + "$")


class Router:
    """Every `triggers.api` route of the stack, matched like API Gateway matches resources."""

    def __init__(self, stack: Stack) -> None:
        self.routes = [
            Route(
                function=name,
                method=trigger.method,
                resource=trigger.path,
                auth=trigger.auth,
                pattern=_path_pattern(trigger.path),
            )
            for name, trigger in stack.routes()
        ]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | list[str]:
        """The route and its path parameters, or the methods the path allows.

        `path` is still URL-encoded, and so are the parameters: a REST API passes
        `pathParameters` as the client encoded them (the handlers decode them).
        """
        path = path.rstrip("/") or "/"
        allowed: list[str] = []
        # Literal segments win over parameters (/orders/stats before /orders/{id}).
        for route in sorted(self.routes, key=lambda r: r.resource.count("{")):
            match = route.pattern.match(path)
            if match is None:
                continue
            if route.method == method:
                return route, dict(match.groupdict())
            allowed.append(route.method)
        return allowed


class Invoker(Protocol):
    def __call__(self, function: str, event: dict[str, Any]) -> Any: ...


class SiteSource(Protocol):
    def get(self, key: str) -> tuple[bytes, str, dict[str, str]] | None:
        """(body, content type, extra headers) of the object `key`, None when absent."""


class BucketSite:
    """The site bucket, read the way CloudFront reads its S3 origin."""

    def __init__(self, s3: S3Client, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def get(self, key: str) -> tuple[bytes, str, dict[str, str]] | None:
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=key)
        except self._s3.exceptions.NoSuchKey:
            return None
        content_type = found.get("ContentType") or ""
        if not content_type or content_type == "binary/octet-stream":
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        extra = {"ETag": found["ETag"]}
        if found.get("CacheControl"):
            extra["Cache-Control"] = found["CacheControl"]
        return found["Body"].read(), content_type, extra


class Authorizer(Protocol):
    def claims(self, authorization: str | None) -> dict[str, str]: ...


EventBuilder = Callable[..., dict[str, Any]]


class ApiApplication:
    """Turns one HTTP request into a Response; no sockets here, so it is easy to test."""

    def __init__(
        self,
        router: Router,
        invoke: Invoker,
        authorizer: Authorizer,
        site: SiteSource,
        build_event: EventBuilder,
    ) -> None:
        self.router = router
        self.invoke = invoke
        self.authorizer = authorizer
        self.site = site
        self.build_event = build_event

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[Response, str]:
        """The response and a short note for the request log (which function served it).

        `headers` keep the client's spelling (the event carries them as sent).
        """
        lowered = {name.lower(): value for name, value in headers.items()}
        url = urlsplit(target)
        # Match on the raw path so an encoded '/' stays inside its parameter, as in API Gateway.
        raw_path = url.path or "/"
        path = unquote(raw_path)
        in_api = raw_path == API_PREFIX or raw_path.startswith(API_PREFIX + "/")
        raw_route_path = raw_path[len(API_PREFIX) :] or "/" if in_api else raw_path
        route_path = unquote(raw_route_path)
        # No object or page has a control character (S3 would refuse the key): such a path
        # is never looked up in the site. A route still gets it, in a path parameter, as
        # API Gateway passes it, and the function answers (with its correlation id).
        site_path = _CONTROL_CHARACTER.search(path) is None
        wants_html = "text/html" in lowered.get("accept", "")
        # The site is served as CloudFront serves its S3 origin: GET and HEAD.
        if method in ("GET", "HEAD") and wants_html and not in_api:
            if not site_path:
                return _no_route(method, path), "-"
            return self._site(path), "site"
        found = self.router.match(method, raw_route_path)
        if isinstance(found, list):
            if found and method == "OPTIONS":
                # API Gateway answers the CORS preflight of every resource itself (MOCK).
                return Response(204, list(CORS_PREFLIGHT_HEADERS), b""), "cors"
            if method == "HEAD" and not in_api and site_path:
                asset = self._asset(path)
                if asset is not None:
                    return asset, "site"
            if found:
                # Like API Gateway, HEAD is a method of its own: a GET route does not answer it.
                return _method_not_allowed(method, route_path, found), "-"
            if method == "GET" and not in_api and site_path:
                asset = self._asset(path)
                if asset is not None:
                    return asset, "site"
            return _no_route(method, route_path), "-"
        route, path_parameters = found
        if len(body) > MAX_BODY_BYTES:
            return error_response(
                413, "payload_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes"
            ), route.function
        claims = None
        if route.auth is Auth.ADMIN:
            try:
                claims = self.authorizer.claims(lowered.get("authorization"))
            except UnauthorizedError as exc:
                return error_response(401, "unauthorized", str(exc)), route.function
        event = self.build_event(
            method=method,
            path=route_path,
            resource=route.resource,
            path_parameters=path_parameters or None,
            query=parse_qsl(url.query, keep_blank_values=True),
            headers=headers,
            body=body or None,
            claims=claims,
        )
        try:
            result = self.invoke(route.function, event)
        except Exception:
            log.error("%s raised:\n%s", route.function, traceback.format_exc().rstrip())
            return error_response(
                502, "internal_error", "the function failed; the server log has the traceback"
            ), route.function
        return proxy_response(route.function, result), route.function

    def _asset(self, path: str) -> Response | None:
        """The site object at `path` (a directory means its index.html), if there is one."""
        key = path.lstrip("/")
        if not key or key.endswith("/"):
            key += "index.html"
        found = self.site.get(key)
        if found is None:
            return None
        content, content_type, extra = found
        return Response(200, [("Content-Type", content_type), *extra.items()], content)

    def _site(self, path: str) -> Response:
        """A page for a browser: the object, else the app's index.html, else the route list.

        CloudFront's error responses turn a missing object into index.html, so deep
        links (/products/ABC) load the single-page app. API clients (no text/html in
        Accept) only get objects that exist, and a JSON 404 otherwise.
        """
        page = self._asset(path) or self._asset("/")
        if page is None:
            page = Response(
                200, [("Content-Type", "text/html; charset=utf-8")], _landing_page(self.router)
            )
        return page


def proxy_response(function: str, result: Any) -> Response:
    """A Lambda proxy result as API Gateway turns it into HTTP, or its 502 when malformed."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        log.error(
            "%s returned %r: a proxy integration needs {'statusCode': int, ...}",
            function,
            type(result).__name__ if not isinstance(result, dict) else sorted(result),
        )
        return error_response(502, "internal_error", "malformed Lambda proxy response")
    headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((name, str(v)) for v in values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return Response(result["statusCode"], headers, raw)


def _landing_page(router: Router) -> bytes:
    rows = "".join(
        f"<li><code>{r.method} {API_PREFIX}{r.resource}</code> &rarr; {r.function}"
        f"{' (admin)' if r.auth is Auth.ADMIN else ''}</li>"
        for r in router.routes
    )
    return (
        "<!doctype html><meta charset=utf-8><title>WooCom local</title>"
        "<h1>WooCom local stack</h1>"
        "<p>No frontend is published to the <code>site</code> bucket yet: "
        "<code>nox -s frontend -- local --build-dir PATH</code> publishes one.</p>"
        f'<p>Try <a href="{API_PREFIX}/products">{API_PREFIX}/products</a>. Routes:</p>'
        f"<ul>{rows}</ul>"
    ).encode()


class ApiServer:
    """werkzeug's threaded WSGI server; it binds at construction so a taken port fails first.

    Kept from the stdlib server: a request per thread (daemons), bounded stop. Gained: a
    listen backlog of LISTEN_BACKLOG (the stdlib's 5 reset clients under ordinary
    concurrency), every method reaching the application (TRACE gets the JSON 405 of the
    contract, not an HTML 501), and the body limit applied from Content-Length before a
    byte of the body is read. Each response closes its connection (werkzeug's choice: it
    cannot drain a body it refused before the next request line).
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 8000, *, allow_remote: bool = False
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise RemoteBindError(
                f"refusing to listen on {host}: only a loopback address (127.0.0.1, ::1, "
                "localhost) unless --allow-remote is given. The local stack signs its tokens "
                "with the emulator's public fixed Cognito keys: anyone who reaches it can "
                "mint an admin token"
            )
        self._wsgi = WsgiAdapter()
        # Bound here, not by werkzeug: it exits the process on a taken port.
        listener = _listen(host, port)
        try:
            self._server = ThreadedWSGIServer(
                host, port, self._wsgi, handler=_RequestHandler, fd=listener.fileno()
            )
        finally:
            listener.close()  # the server holds its own duplicate
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="api-server", daemon=True
        )
        self.host = host
        self.port: int = self._server.port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, app: ApiApplication) -> None:
        self._wsgi.app = app
        self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop serving (requests run in daemon threads); safe to call twice; bounded."""
        if self._thread.is_alive():
            self._server.shutdown()
            join(self._thread, timeout)
        self._server.server_close()


class RemoteBindError(ValueError):
    """A non-loopback address without the explicit opt-in."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


# API Gateway's preflight answer, as terraform/modules/api/main.tf declares it (`cors_headers`,
# with the origin "*" of a stack without a site alias); a test keeps the two in step.
CORS_PREFLIGHT_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,OPTIONS"),
    ("Access-Control-Allow-Headers", "Authorization,Content-Type,Idempotency-Key"),
]


class WsgiAdapter:
    """WSGI in, ApiApplication out: reads the body (within the limit), logs the request."""

    app: ApiApplication | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        started = time.perf_counter()
        method: str = environ["REQUEST_METHOD"]
        # The raw target: an encoded '/' stays inside its path parameter, as in API Gateway.
        target: str = environ.get("RAW_URI") or environ.get("PATH_INFO") or "/"
        target = target.encode("latin-1").decode("utf-8", errors="replace")
        try:
            response, served_by = self._respond(environ, method, target)
        except Exception:
            # Never werkzeug's HTML 500: every answer of the API is the contract's JSON.
            log.error("%s %r raised:\n%s", method, target, traceback.format_exc().rstrip())
            response, served_by = (
                error_response(
                    500, "internal_error", "the local server failed; its log has the traceback"
                ),
                "-",
            )
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {_reason(response.status)}", headers)
        log.info(
            "%s %s -> %s %d (%.1f ms)",
            method,
            target.encode("unicode_escape").decode("ascii"),  # no control character in the log
            served_by,
            response.status,
            (time.perf_counter() - started) * 1000,
        )
        return [] if method == "HEAD" else [response.body]

    def _respond(self, environ: dict[str, Any], method: str, target: str) -> tuple[Response, str]:
        if self.app is None:
            return error_response(503, "starting", "the local stack is still starting"), "-"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "bad_request", "Content-Length is not a number"), "-"
        if length > MAX_BODY_BYTES or length < 0:
            # Refused unread, as API Gateway refuses it before any function runs.
            return error_response(
                413, "payload_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes"
            ), "-"
        stream = environ["wsgi.input"]
        if length:
            body = stream.read(length)
        elif environ.get("wsgi.input_terminated"):  # chunked: read one byte past the limit
            body = stream.read(MAX_BODY_BYTES + 1)
            if len(body) > MAX_BODY_BYTES:
                return error_response(
                    413, "payload_too_large", f"the body exceeds {MAX_BODY_BYTES} bytes"
                ), "-"
        else:
            body = b""
        headers: dict[str, str] = dict(environ.get(CLIENT_HEADERS_KEY) or ())
        return self.app.handle(method, target, headers, body)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# Where _RequestHandler puts the request headers as the client spelled them.
CLIENT_HEADERS_KEY = "woocom.client_headers"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host.strip("[]"), port))
        listener.listen(LISTEN_BACKLOG)
    except OSError as exc:
        listener.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUseError(
                exc.errno,
                f"cannot listen on {host}:{port}: {exc.strerror}. Another `nox -s dev` may "
                "be running: stop it, or pick another port with --port",
            ) from None
        raise
    return listener


class _RequestHandler(WSGIRequestHandler):
    # Headers and body leave in two writes; with Nagle's algorithm on, the client's
    # delayed ACK would hold the body back ~40 ms.
    disable_nagle_algorithm = True
    server_version = "woocom-local"

    def make_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().make_environ()
        # WSGI folds header names to HTTP_*; the proxy event carries them as sent.
        environ[CLIENT_HEADERS_KEY] = list(self.headers.items())
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged once, by WsgiAdapter, with the function that served them."""
