"""A stand-in storefront for the render check: the real example build, a controllable API.

The build is the reference storefront's (`frontend_deploy.example.build_example`,
cached); the site and API are served by a small HTTP server whose answers each
test can break the way production breaks.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from stand_in import PRODUCTS, Storefront

from woocom.canary.local import BrowserMissingError, chromium, find_browser


def _browser_or_skip() -> None:
    try:
        find_browser()
    except BrowserMissingError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def example_build() -> Path:
    if shutil.which("npm") is None:
        pytest.skip("needs npm (Node.js) to build the reference storefront")
    _browser_or_skip()
    from frontend_deploy.example import build_example

    return build_example()


@pytest.fixture
def storefront(example_build: Path) -> Iterator[Storefront]:
    files = {
        path.relative_to(example_build).as_posix(): path.read_bytes()
        for path in example_build.rglob("*")
        if path.is_file()
    }
    site = Storefront(files)
    site.config["api_base_url"] = "/api"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/config.json":
                return self._send(200, json.dumps(site.config).encode(), "application/json")
            if path == "/api/products":
                if site.products_status != 200:
                    error = {"error": {"code": "internal_error", "message": "boom"}}
                    return self._send(site.products_status, json.dumps(error).encode())
                page = {"items": PRODUCTS, "next_cursor": None}
                return self._send(200, json.dumps(page).encode())
            if path.startswith("/api/products/"):
                sku = path.rsplit("/", 1)[1]
                found = [p for p in PRODUCTS if p["sku"] == sku]
                if found:
                    return self._send(200, json.dumps(found[0]).encode())
                error = {"error": {"code": "product_not_found", "message": "no"}}
                return self._send(404, json.dumps(error).encode())
            key = path.lstrip("/")
            if key in site.files:
                kind = "text/javascript" if key.endswith(".js") else "text/css"
                return self._send(200, site.files[key], kind)
            # The SPA fallback, as CloudFront and the local runtime serve it.
            return self._send(200, site.files["index.html"], "text/html; charset=utf-8")

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser(example_build: Path) -> Iterator[Any]:
    with chromium() as driver:
        yield driver
