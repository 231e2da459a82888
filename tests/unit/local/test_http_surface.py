"""The local API server as a client sees it: concurrency, methods, odd paths, big bodies, binding.

The server and the ApiApplication are the real ones on the mini project's routes; only
the function behind the routes is a stand-in (what it returns is not under test here).
"""

from __future__ import annotations

import http.client
import json
import re
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from woocom.config import load_stack
from woocom.events import api_gateway_event
from woocom.local import cli
from woocom.local.api import (
    CORS_PREFLIGHT_HEADERS,
    MAX_BODY_BYTES,
    ApiApplication,
    ApiServer,
    PortInUseError,
    RemoteBindError,
    Router,
)
from woocom.local.client import wait_for
from woocom.paths import REPO_ROOT

CLIENTS = 100


class _Function:
    def __call__(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"params": event["pathParameters"]})
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": body}


class _Authorizer:
    def claims(self, authorization: str | None) -> dict[str, str]:
        return {"cognito:groups": "admin"}


class _Site:
    def get(self, key: str) -> tuple[bytes, str, dict[str, str]] | None:
        return (b"console.log(1)", "text/javascript", {}) if key == "app.js" else None


@pytest.fixture(scope="module")
def server(mini_project: Path) -> Iterator[ApiServer]:
    app = ApiApplication(
        Router(load_stack(mini_project)), _Function(), _Authorizer(), _Site(), api_gateway_event
    )
    started = ApiServer("127.0.0.1", 0)
    started.start(app)
    yield started
    started.stop()


def request(
    server: ApiServer, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    """One request on a connection of its own (no retry: an error is the test's to see)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


# --- concurrency -------------------------------------------------------------------------


def test_the_kernel_queues_a_hundred_connections_before_the_first_is_accepted() -> None:
    """The stdlib server's backlog of 5 dropped the 7th simultaneous connect."""
    server = ApiServer("127.0.0.1", 0)  # listening, not yet accepting
    clients = [socket.socket() for _ in range(CLIENTS)]
    try:
        for client in clients:
            client.setblocking(False)
            client.connect_ex(("127.0.0.1", server.port))
        pending = set(clients)

        def all_connected() -> bool:
            _, writable, _ = select.select([], list(pending), [], 0.1)
            for client in writable:
                if client.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    pending.discard(client)
            return not pending

        # A dropped SYN is only retried after 1 s, 3 s, 7 s: with a short backlog this fails.
        wait_for(all_connected, timeout=10, what=f"{CLIENTS} connections to be queued")
    finally:
        for client in clients:
            client.close()
        server.stop()


def test_a_hundred_concurrent_clients_on_new_connections_all_get_answers(
    server: ApiServer,
) -> None:
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def client() -> None:
        start.wait(timeout=60)
        try:
            statuses.append(request(server, "GET", "/things/1")[0].status)
        except OSError as exc:  # a reset, a refused connection, an empty reply
            errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert statuses == [200] * CLIENTS


# --- methods -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["TRACE", "FOO"])
def test_an_unknown_method_gets_the_json_405_of_the_contract(
    server: ApiServer, method: str
) -> None:
    response, body = request(server, method, "/things/1")
    assert response.status == 405
    assert response.headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == "method_not_allowed"
    assert f"{method} is not allowed on /things/1" in error["message"]
    assert response.headers["Allow"] == "GET, PUT, OPTIONS"


def _deployed_cors_headers() -> dict[str, str]:
    """The preflight headers terraform/modules/api declares, as API Gateway sends them."""
    main = (REPO_ROOT / "terraform/modules/api/main.tf").read_text()
    block = re.search(r"cors_headers = \{(.*?)\n  \}", main, re.DOTALL)
    assert block is not None, "cors_headers not found in terraform/modules/api/main.tf"
    found = re.findall(r'"method\.response\.header\.([\w-]+)"\s*=\s*"\'(.*?)\'"', block[1])
    # The stack passes "*" as the origin when the site has no alias (terraform/stack/main.tf).
    return {name: value.replace("${var.cors_origin}", "*") for name, value in found}


@pytest.mark.parametrize("path", ["/things/1", "/api/things/1", "/things/special"])
def test_options_is_the_cors_preflight_api_gateway_answers(server: ApiServer, path: str) -> None:
    response, body = request(
        server,
        "OPTIONS",
        path,
        {"Origin": "http://localhost:5173", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status == 204
    assert body == b""
    sent = {name: response.headers[name] for name, _ in CORS_PREFLIGHT_HEADERS}
    assert sent == _deployed_cors_headers()


def test_options_on_a_path_without_routes_is_a_json_404(server: ApiServer) -> None:
    response, body = request(server, "OPTIONS", "/nothing/here")
    assert response.status == 404
    assert b'"route_not_found"' in body


def test_head_on_an_api_route_is_not_a_get_as_in_api_gateway(server: ApiServer) -> None:
    response, body = request(server, "HEAD", "/things/1")
    assert response.status == 405
    assert body == b""
    assert response.headers["Allow"] == "GET, PUT, OPTIONS"


def test_head_on_a_site_object_has_its_headers_and_no_body(server: ApiServer) -> None:
    response, body = request(server, "HEAD", "/app.js")
    assert response.status == 200
    assert body == b""
    assert response.headers["Content-Type"] == "text/javascript"
    assert response.headers["Content-Length"] == str(len("console.log(1)"))


# --- odd input ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/%01", "/%7F/x", "/things/a%0Ab", "/api/no/%00"])
def test_a_control_character_in_a_site_path_is_a_json_404(server: ApiServer, path: str) -> None:
    response, body = request(server, "GET", path, {"Accept": "text/html"})
    assert response.status == 404
    assert response.headers["Content-Type"] == "application/json"
    assert b'"route_not_found"' in body


def test_a_control_character_in_a_path_parameter_reaches_the_function(
    server: ApiServer,
) -> None:
    # As API Gateway does: the route matches and the function decides (here: echoes it).
    response, body = request(server, "GET", "/api/things/a%00b", {})
    assert response.status == 200
    assert json.loads(body)["params"] == {"thing_id": "a%00b"}


def test_a_body_over_the_limit_is_refused_from_content_length_before_it_is_read(
    server: ApiServer,
) -> None:
    # Headers only: a server that waits for the announced body never answers.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
        raw.sendall(
            b"PUT /things/1 HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
        )
        response = http.client.HTTPResponse(raw)
        response.begin()
        body = response.read()
    assert response.status == 413
    assert b'"payload_too_large"' in body


def test_a_body_within_the_limit_reaches_the_function(server: ApiServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("PUT", "/things/1", body=b"x" * 1024)
    assert connection.getresponse().status == 200
    connection.close()


# --- binding -----------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "example.com"])
def test_a_non_loopback_address_is_refused_without_the_explicit_flag(host: str) -> None:
    with pytest.raises(RemoteBindError, match="--allow-remote") as refused:
        ApiServer(host, 0)
    assert "mint an admin token" in str(refused.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_addresses_need_no_flag(host: str) -> None:
    try:
        server = ApiServer(host, 0)
    except OSError as exc:  # no IPv6 on this machine
        pytest.skip(f"cannot bind {host}: {exc}")
    server.stop()


def test_allow_remote_binds_every_address() -> None:
    server = ApiServer("0.0.0.0", 0, allow_remote=True)
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=30).close()
    finally:
        server.stop()


def test_dev_refuses_a_remote_host_without_the_flag(
    mini_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--host", "0.0.0.0", "--port", "0", "--stack", str(mini_project), "--no-seed"]
    assert cli.main([*argv, "--outputs", str(tmp_path / "local.json")]) == 1
    err = capsys.readouterr().err
    assert "refusing to listen on 0.0.0.0" in err
    assert "--allow-remote" in err
    assert not (tmp_path / "local.json").exists()


def test_dev_with_allow_remote_warns_loudly_before_starting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    class Runtime:
        def __init__(self, **kwargs: Any) -> None:
            seen.update(kwargs)

        def start(self) -> None:
            raise PortInUseError(98, "taken")

        def stop(self) -> None:
            pass

    monkeypatch.setattr(cli, "LocalRuntime", Runtime)
    argv = ["--host", "0.0.0.0", "--allow-remote", "--outputs", str(tmp_path / "o.json")]
    assert cli.main(argv) == 1
    assert seen["allow_remote"] is True
    err = capsys.readouterr().err
    assert "WARNING: --allow-remote" in err
    assert "PUBLIC, FIXED Cognito keys" in err
