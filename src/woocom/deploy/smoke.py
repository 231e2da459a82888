"""The last step of a deploy: the public API answers `GET /products` with a product list."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

SMOKE_PATH = "/products"


class SmokeCheckError(RuntimeError):
    """The deployed API did not answer as expected within the attempts."""


def smoke_check(
    api_url: str,
    *,
    attempts: int = 10,
    delay: float = 3.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """GET <api_url>/products until it answers 200 with {"items": [...]}; return a report line.

    A fresh API Gateway stage and cold Lambdas can answer 403/5xx for a few
    seconds after an apply, hence the retries.
    """
    url = api_url.rstrip("/") + SMOKE_PATH
    last = "no answer"
    for attempt in range(1, attempts + 1):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our URL)
                status, body = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            status, body = 0, str(getattr(exc, "reason", exc)).encode()
        elapsed = time.perf_counter() - started
        if status == 200 and _is_product_list(body):
            return f"GET {url} -> 200 in {elapsed:.2f} s (attempt {attempt})"
        last = f"{status or 'no connection'}: {body[:200].decode(errors='replace')}"
        if attempt < attempts:
            sleep(delay)
    raise SmokeCheckError(
        f"GET {url} did not return a product list after {attempts} tries (last: {last})"
    )


def _is_product_list(body: bytes) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and isinstance(document.get("items"), list)
