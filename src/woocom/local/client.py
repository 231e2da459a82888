"""A small JSON-over-HTTP client for the API of any target (local, LocalStack, deployed).

The integration suite and the benchmarks use it. It keeps one connection per
thread alive (as a browser would), never raises on 4xx/5xx (tests assert the
status) and needs nothing beyond the standard library.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


def wait_for(
    probe: Callable[[], T | None], timeout: float = 30, what: str = "", interval: float = 0.2
) -> T:
    """Call `probe` until it returns something truthy and return that.

    Raises TimeoutError naming `what` and the last value at the deadline: how the
    tests and benchmarks wait for asynchronous results (queues, S3 drops, cron).
    """
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {timeout:.0f} s: {what} (last: {result!r})")
        time.sleep(interval)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-cased names, repeated ones comma-joined
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __str__(self) -> str:
        return f"{self.status} {self.body[:500].decode(errors='replace')}"


class HttpClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{base_url!r} is not an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._local = threading.local()

    def with_token(self, token: str | None) -> HttpClient:
        return HttpClient(self.base_url, token, self.timeout)

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            factory = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = factory(self._host, self._port, timeout=self.timeout)
            self._local.connection = connection
        return connection

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if self.token:
            all_headers.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            body = json.dumps(json_body)
            all_headers.setdefault("Content-Type", "application/json")
        payload = body.encode() if isinstance(body, str) else body
        try:
            return self._send(method, self._prefix + path, payload, all_headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A kept-alive connection the server has closed fails on first use: retry, fresh.
            self.close()
            return self._send(method, self._prefix + path, payload, all_headers)

    def _send(
        self, method: str, path: str, payload: bytes | None, headers: dict[str, str]
    ) -> HttpResponse:
        connection = self._connection()
        connection.request(method, path, body=payload, headers=headers)
        raw = connection.getresponse()
        data = raw.read()
        folded: dict[str, str] = {}
        for name, value in raw.getheaders():
            # Repeated headers fold into one, comma-separated, as HTTP defines.
            key = name.lower()
            folded[key] = f"{folded[key]}, {value}" if key in folded else value
        return HttpResponse(raw.status, folded, data)

    def get(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, json_body: Any = None, **kwargs: Any) -> HttpResponse:
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs: Any) -> HttpResponse:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
