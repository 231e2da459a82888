"""Stack outputs: the one file every consumer reads to find a deployed or local stack.

`.woocom/outputs/<target>.json` is a flat JSON object. The local runtime writes
it for `local`; `nox -s deploy` writes it for real environments from
`terraform output -json`. The integration suite and the frontend publisher read it.

Keys (absent or null where they do not apply):
  target, region, api_url, aws_endpoint_url (emulators only), table_name,
  <bucket>_bucket (imports_bucket, site_bucket, artifacts_bucket),
  <queue>_queue_url and <queue>_dlq_url (orders_queue_url, orders_dlq_url),
  user_pool_id, user_pool_client_id, user_pool_integration_client_id (non-production),
  distribution_id, site_url,
  admin_token and user_token (local only: valid JWTs with and without the admin group).
  pid (local only: the process that owns the file, see woocom.local.ownership).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from woocom.atomic import write_atomic
from woocom.paths import outputs_file


class OutputsMissingError(FileNotFoundError):
    """No outputs for a target: the stack is not running / not deployed."""


def read_outputs(target: str, path: Path | None = None) -> dict[str, Any]:
    path = path or outputs_file(target)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        hint = (
            "start it with `nox -s dev`"
            if target == "local"
            else f"deploy it with `nox -s deploy -- {target}`"
        )
        raise OutputsMissingError(f"no outputs for {target!r} at {path}: {hint}") from None
    return data


def write_outputs(target: str, outputs: dict[str, Any], path: Path | None = None) -> Path:
    """Write atomically (readers never see half a file), created 0600 (it may hold tokens)."""
    text = json.dumps({"target": target, **outputs}, indent=2, sort_keys=True) + "\n"
    return write_atomic(path or outputs_file(target), text, mode=0o600)


def flatten_terraform_outputs(tf_outputs: dict[str, Any]) -> dict[str, Any]:
    """Turn `terraform output -json` of the root into the flat outputs format.

    The root exposes scalars (api_url, table_name, region, user_pool_id, ...) and
    maps: `buckets` {name: bucket}, `queues` {name: {url, dlq_url}}.
    """
    values = {key: item["value"] for key, item in tf_outputs.items()}
    flat: dict[str, Any] = {k: v for k, v in values.items() if k not in ("buckets", "queues")}
    for name, bucket in (values.get("buckets") or {}).items():
        flat[f"{name}_bucket"] = bucket
    for name, queue in (values.get("queues") or {}).items():
        flat[f"{name}_queue_url"] = queue.get("url")
        flat[f"{name}_dlq_url"] = queue.get("dlq_url")
    return flat
