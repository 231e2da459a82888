"""The last step of a deploy: the public API answers `GET /products` with a product list.

`python -m woocom.deploy.smoke <target>` (`nox -s smoke -- staging`) checks a deployed
target from its outputs file once the frontend is published: the API as above, and
the site's `/` answering 200 with an HTML page.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence

from woocom.outputs import OutputsMissingError, read_outputs

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


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our URL)
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        return 0, str(getattr(exc, "reason", exc)).encode()


def site_check(
    site_url: str,
    *,
    attempts: int = 10,
    delay: float = 3.0,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """GET <site_url>/ until it answers 200 with an HTML document; return a report line."""
    url = site_url.rstrip("/") + "/"
    last = "no answer"
    for attempt in range(1, attempts + 1):
        status, body = _get(url)
        if status == 200 and b"<html" in body[:4096].lower():
            return f"GET {url} -> 200, an HTML page (attempt {attempt})"
        last = f"{status or 'no connection'}: {body[:200].decode(errors='replace')}"
        if attempt < attempts:
            sleep(delay)
    raise SmokeCheckError(f"GET {url} did not return an HTML page after {attempts} tries ({last})")


def main(argv: Sequence[str]) -> int:
    """`python -m woocom.deploy.smoke <target>`: 0 when site and API answer, 1 otherwise."""
    if len(argv) != 1:
        print("usage: python -m woocom.deploy.smoke <target>", file=sys.stderr)
        return 2
    try:
        outputs = read_outputs(argv[0])
    except (OutputsMissingError, ValueError) as exc:
        print(f"smoke test cannot run: {exc}", file=sys.stderr)
        return 1
    checks: list[tuple[str, Callable[[str], str]]] = [("api_url", smoke_check)]
    checks.append(("site_url", site_check))
    failed = False
    for key, check in checks:
        url = outputs.get(key)
        if not url:
            print(f"the outputs of {argv[0]} have no {key}", file=sys.stderr)
            failed = True
            continue
        try:
            print(check(str(url)))
        except SmokeCheckError as exc:
            print(f"smoke test failed: {exc}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
