"""`config.json`: what a build needs to know about the stack, written at publish time.

The build bakes in no URL, pool id or environment name; the publisher writes
this file from the stack outputs next to `index.html`, with `no-cache`, so one
build is promoted unchanged from a preview to staging to production:

    {
      "environment": "staging",
      "api_base_url": "/api",
      "cognito": {"region": "eu-west-1", "user_pool_id": "...", "client_id": "...",
                  "endpoint": null}
    }

- `api_base_url`: where the API answers as seen from the page. Behind CloudFront
  and on `local` it is a path on the site's own origin (`/api`: CloudFront
  forwards `/<stage>/*` to the API's stage unchanged), so no CORS is involved;
  a stack without a CDN (localstack) gets the API's absolute URL.
- `cognito`: the user pool the admin pages sign in to; `endpoint` is set for
  emulators only (AWS: `https://cognito-idp.<region>.amazonaws.com/`). Null
  when the stack has no pool.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

CONFIG_KEY = "config.json"
LOCAL_API_PATH = "/api"  # where `nox -s dev` serves the routes on the site's origin


def runtime_config(environment: str, outputs: dict[str, Any]) -> dict[str, Any] | None:
    """The content of config.json for `environment`; None for a stack without an API."""
    api_base_url = _api_base_url(environment, outputs)
    if api_base_url is None:
        return None
    return {
        "environment": environment,
        "api_base_url": api_base_url,
        "cognito": _cognito(outputs),
    }


def _api_base_url(environment: str, outputs: dict[str, Any]) -> str | None:
    if outputs.get("api_base_url"):  # a stack may state it outright
        return str(outputs["api_base_url"])
    api_url = outputs.get("api_url")
    if not api_url:
        return None
    if environment == "local":
        return LOCAL_API_PATH
    if outputs.get("distribution_id"):
        path = urlsplit(str(api_url)).path.rstrip("/")
        return path or "/"
    return str(api_url).rstrip("/")


def _cognito(outputs: dict[str, Any]) -> dict[str, Any] | None:
    pool, client = outputs.get("user_pool_id"), outputs.get("user_pool_client_id")
    if not pool or not client:
        return None
    return {
        "region": outputs.get("region") or str(pool).split("_", 1)[0],
        "user_pool_id": pool,
        "client_id": client,
        "endpoint": outputs.get("aws_endpoint_url"),
    }
