"""The build, bucket and reading helpers the frontend publisher tests share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from frontend_deploy.publish import Outcome

BUCKET = "woocom-staging-site"

# What `vite build` emits for a small app: hashed assets under assets/, public/
# files copied as they are, index.html at the root.
VITE_BUILD: dict[str, bytes] = {
    "index.html": b'<!doctype html><script type="module" src="/assets/index-B3x_k9Qa.js"></script>',
    "assets/index-B3x_k9Qa.js": b"import './vendor-Dk39aZ01.js';console.log('app')",
    "assets/vendor-Dk39aZ01.js": b"export const react = 18;",
    "assets/index-C0ffee42.css": b"body{margin:0}",
    "assets/index-B3x_k9Qa.js.map": b'{"version":3}',
    "assets/logo-a1B2c3D4.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    "assets/Inter-Bold-Zx81_qPw.woff2": b"wOF2fake",
    "favicon.ico": b"\x00\x00\x01\x00",
    "robots.txt": b"User-agent: *\n",
    "manifest.webmanifest": b'{"name":"WooCom"}',
    "about/index.html": b"<!doctype html><p>about</p>",
}
HASHED = sorted(key for key in VITE_BUILD if key.startswith("assets/"))


def write_build(root: Path, files: dict[str, bytes]) -> Path:
    for key, content in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


Publish = Callable[..., Outcome]


def stored(s3: Any) -> dict[str, bytes]:
    """The site as a visitor could fetch it: every object but the publisher's own."""
    keys = [
        item["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        for item in page.get("Contents", [])
        if not item["Key"].startswith(".frontend-deploy/")
    ]
    return {key: s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}
