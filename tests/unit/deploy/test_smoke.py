"""The smoke check against real HTTP servers (and a port nobody listens on)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from woocom.deploy import smoke
from woocom.deploy.smoke import SmokeCheckError, site_check, smoke_check


class _Answers(BaseHTTPRequestHandler):
    # (status, body) served in order, the last one repeated
    script: list[tuple[int, bytes]] = []
    paths: list[str] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        status, body = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    _Answers.paths = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/prod/"
    httpd.shutdown()
    httpd.server_close()


def test_retries_until_the_api_answers_a_product_list(server: str) -> None:
    _Answers.script = [
        (403, b'{"message":"Forbidden"}'),
        (200, b'{"items": [], "next_cursor": null}'),
    ]
    waits: list[float] = []
    report = smoke_check(server, attempts=3, delay=0.5, sleep=waits.append)
    assert report.startswith(f"GET {server.rstrip('/')}/products -> 200 in ")
    assert report.endswith("(attempt 2)")
    assert waits == [0.5]
    assert _Answers.paths == ["/prod/products", "/prod/products"]


def test_a_200_that_is_not_a_product_list_fails(server: str) -> None:
    _Answers.script = [(200, b"<html>maintenance</html>")]
    with pytest.raises(SmokeCheckError, match="after 2 tries \\(last: 200: <html>maintenance"):
        smoke_check(server, attempts=2, delay=0, sleep=lambda _: None)


def test_nobody_listening_is_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SmokeCheckError, match="last: no connection"):
        smoke_check(f"http://127.0.0.1:{port}", attempts=1, sleep=lambda _: None)


def test_the_site_check_wants_an_html_page(server: str) -> None:
    _Answers.script = [(403, b"AccessDenied"), (200, b"<!doctype html><html><body></body></html>")]
    report = site_check(server, attempts=3, delay=0.0)
    assert report.endswith("-> 200, an HTML page (attempt 2)")
    _Answers.script = [(200, b'{"items": []}')]
    with pytest.raises(SmokeCheckError, match="did not return an HTML page after 2 tries"):
        site_check(server, attempts=2, delay=0.0)


def test_the_smoke_command_checks_site_and_api_from_the_outputs(
    server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(smoke, "read_outputs", lambda target: json.loads(outputs.read_text()))
    outputs = tmp_path / "staging.json"
    outputs.write_text(json.dumps({"api_url": server, "site_url": server}))
    _Answers.script = [(200, b'{"items": []}'), (200, b"<html><body>shop</body></html>")]
    assert smoke.main(["staging"]) == 0
    assert _Answers.paths == ["/prod/products", "/prod/"]
    assert "an HTML page" in capsys.readouterr().out
    _Answers.script = [(200, b'{"items": []}')]
    outputs.write_text(json.dumps({"api_url": server}))
    assert smoke.main(["staging"]) == 1
    assert "the outputs of staging have no site_url" in capsys.readouterr().err
