"""The embedded AWS emulator: moto server in a thread of this process, on 127.0.0.1.

This is `moto.server.ThreadedMotoServer` with one addition: DynamoDB requests are
served one at a time. moto's DynamoDB backend is not thread-safe: under 40
concurrent checkouts it fails requests ("dictionary changed size during
iteration"), and it checks a transaction's conditions and applies its writes
without a lock, so two checkouts could both pass a stock check only one may
pass. Real DynamoDB does neither; the local stack must not either (the
oversell benchmark counts on it). This is the one place moto is made safe for
threads: function tests that send requests from several threads run on this
emulator (`@pytest.mark.emulator`) rather than on moto in process.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import boto3
from werkzeug.serving import BaseWSGIServer, make_server

from woocom.emulated import DUMMY_CREDENTIALS, REGION, dummy_credentials_environment
from woocom.local.threads import STOP_TIMEOUT, join

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


log = logging.getLogger("woocom.local")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def emulator_environment(endpoint_url: str) -> dict[str, str]:
    """What a process needs so that every boto3 client it creates talks to the emulator."""
    return {"AWS_ENDPOINT_URL": endpoint_url, **dummy_credentials_environment()}


class _SerializeDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, everything else concurrent."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self._lock:
                # Consume the response inside the lock: the write happens while it is built.
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


def _reset_moto(host: str, port: int, timeout: float = STOP_TIMEOUT) -> None:
    """Empty every moto backend through the server's public reset endpoint."""
    connection = http.client.HTTPConnection(host, port, timeout=max(timeout, 0.1))
    try:
        connection.request("POST", "/moto-api/reset")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise OSError(f"POST /moto-api/reset answered {response.status}")
    finally:
        connection.close()


class Emulator:
    """moto server on `host:port` (port 0 picks a free one), started and stopped explicitly.

    moto keeps its state in process-wide globals, so one process runs one
    emulator at a time; each starts empty and is emptied when it stops.
    """

    _running: Emulator | None = None

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._clients: dict[str, Any] = {}

    def start(self) -> Emulator:
        if Emulator._running is not None:
            raise RuntimeError(
                f"an emulator already runs in this process ({Emulator._running.endpoint_url}): "
                "moto's state is process-wide, stop that one first"
            )
        # Imported here: moto's server imports every backend (~0.5 s), only `dev` needs it.
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any) -> None:
                """One line per AWS call would drown the function logs; errors still show."""

        app = _SerializeDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="moto-server", daemon=True
        )
        self._thread.start()
        # moto's state is process-wide: a new emulator starts empty.
        _reset_moto(self._host, self._server.server_port)
        Emulator._running = self
        return self

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Empty moto and stop serving (its requests run in daemon threads); bounded."""
        if Emulator._running is self and self._thread is not None and self._thread.is_alive():
            try:
                _reset_moto(self._host, self.port, timeout / 2)  # half: shutdown needs time
            except OSError as exc:
                log.warning("could not empty the emulator at %s: %s", self.endpoint_url, exc)
        if self._server is not None:
            # shutdown() waits for serve_forever to notice: only when that thread runs it.
            if self._thread is not None and self._thread.is_alive():
                self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            join(self._thread, timeout)
        self._server = self._thread = None
        self._clients.clear()
        if Emulator._running is self:
            Emulator._running = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start() first")
        return self._server.server_port

    @property
    def endpoint_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def environment(self) -> dict[str, str]:
        return emulator_environment(self.endpoint_url)

    # boto3 clients are thread-safe once created; each is created once, by the starting thread.
    def dynamodb(self) -> DynamoDBClient:
        return self._client("dynamodb")  # type: ignore[no-any-return]

    def s3(self) -> S3Client:
        return self._client("s3")  # type: ignore[no-any-return]

    def sqs(self) -> SQSClient:
        return self._client("sqs")  # type: ignore[no-any-return]

    def cognito(self) -> CognitoIdentityProviderClient:
        return self._client("cognito-idp")  # type: ignore[no-any-return]

    def secretsmanager(self) -> Any:
        return self._client("secretsmanager")

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = emulator_client(service, self.endpoint_url)
        return self._clients[service]


def emulator_client(service: str, endpoint_url: str) -> Any:
    """A boto3 client for `service` on an emulator (moto or LocalStack) at `endpoint_url`."""
    session = boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIALS["aws_access_key_id"],
        aws_secret_access_key=DUMMY_CREDENTIALS["aws_secret_access_key"],
        region_name=REGION,
    )
    return session.client(
        service,  # type: ignore[call-overload]
        endpoint_url=endpoint_url,
    )
