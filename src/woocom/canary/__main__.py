"""`python -m woocom.canary <target>` (what `nox -s canary` runs): the render check, here.

`local` uses the running `nox -s dev` (found through its outputs) or starts one
in this process for the run, with the reference storefront published to it.
Other targets are read from `.woocom/outputs/<target>.json`. Production is
checked read-only; elsewhere an order is placed for the canary product.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from woocom.canary.local import ARTIFACTS_DIR, BrowserMissingError, StepRecorder, chromium
from woocom.canary.local import find_browser as find_browser
from woocom.canary.render_check import RenderCheckError, Settings, run
from woocom.outputs import OutputsMissingError, read_outputs

CANARY_PRODUCT = {
    "name": "Canary product",
    "description": "Bought by the synthetic render check every few minutes; not for sale.",
    "category": "canary",
    "price": "1.00",
    "currency": "EUR",
    "stock": 1_000_000,
}


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="nox -s canary --",
        description="Load the storefront in headless Chromium and check that it shows real "
        "products, opens one and (off production) places an order.",
    )
    cli.add_argument(
        "target", help="local (default), staging, pr-123, ...", nargs="?", default="local"
    )
    cli.add_argument("--site-url", help="check this URL instead of the target's site_url")
    cli.add_argument(
        "--outputs", type=Path, help="stack outputs file (default: .woocom/outputs/<target>.json)"
    )
    order = cli.add_mutually_exclusive_group()
    order.add_argument("--read-only", action="store_true", help="browse only, never order")
    order.add_argument(
        "--ensure-product",
        action="store_true",
        help="create the canary product first (admin token: local outputs or WOOCOM_ADMIN_TOKEN)",
    )
    cli.add_argument("--sku", default=Settings.canary_sku, help="the canary product's SKU")
    cli.add_argument(
        "--budget-ms", type=int, default=Settings.load_budget_ms, help="page load budget"
    )
    cli.add_argument("--timeout", type=float, default=Settings.timeout_s, help="seconds per wait")
    cli.add_argument(
        "--screenshot", type=Path, help="save the product list, as the check saw it, to this PNG"
    )
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        find_browser()
    except BrowserMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with ExitStack() as stack:
        try:
            outputs = stack.enter_context(target_outputs(args.target, args.outputs))
        except OutputsMissingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        site_url = args.site_url or outputs.get("site_url")
        if not site_url:
            print(f"error: the outputs of {args.target!r} name no site_url", file=sys.stderr)
            return 1
        read_only = args.read_only or args.target == "production"
        if not read_only and (args.ensure_product or args.target == "local"):
            ensure_canary_product(outputs, args.sku)
        settings = Settings(
            site_url=site_url,
            read_only=read_only,
            canary_sku=args.sku,
            load_budget_ms=args.budget_ms,
            timeout_s=args.timeout,
        )
        return check(settings, args.screenshot)


def check(settings: Settings, screenshot: Path | None = None) -> int:
    mode = "read-only" if settings.read_only else "with an order"
    print(f"render check of {settings.site_url} ({mode})")
    with chromium() as driver:
        recorder = StepRecorder(driver, screenshot=screenshot)
        try:
            report = run(driver, settings, step=recorder)
        except RenderCheckError as exc:
            print(f"\nrender check FAILED: {exc}", file=sys.stderr)
            for path in recorder.evidence:
                print(f"  evidence: {path}", file=sys.stderr)
            return 1
    print(
        f"render check passed: page loaded in {report.load_ms:.0f} ms, "
        f"{report.products_seen} products listed, opened {report.product_opened!r}"
        + (f", order {report.order_id} confirmed" if report.order_id else "")
    )
    return 0


@contextmanager
def target_outputs(target: str, path: Path | None = None) -> Iterator[dict[str, Any]]:
    """The target's outputs; for `local` without a running stack, a stack for this run."""
    if target != "local":
        yield read_outputs(target, path)
        return
    try:
        outputs = read_outputs("local", path)
        if _answers(str(outputs.get("site_url", "")) + "config.json"):
            yield outputs
            return
    except OutputsMissingError:
        pass
    print("no running `nox -s dev` serving the storefront: starting a local stack for this run")
    with local_stack_with_storefront() as outputs:
        yield outputs


@contextmanager
def local_stack_with_storefront() -> Iterator[dict[str, Any]]:
    """A local stack on a free port with the reference storefront published (built if needed)."""
    from frontend_deploy.example import build_example
    from frontend_deploy.publish import Publisher, Target
    from frontend_deploy.rules import load_rules
    from woocom.local.runtime import LocalRuntime

    outputs_path = ARTIFACTS_DIR / "local-outputs.json"
    with LocalRuntime(port=0, outputs_path=outputs_path, reload=False) as runtime:
        dist = build_example()
        Publisher(Target.from_outputs("local", outputs_path), load_rules(None)[0]).publish(dist)
        yield runtime.outputs


def ensure_canary_product(outputs: dict[str, Any], sku: str) -> None:
    """Create or restock the product the canary buys (admin API)."""
    token = outputs.get("admin_token") or os.environ.get("WOOCOM_ADMIN_TOKEN")
    if not token:
        raise SystemExit(
            "error: creating the canary product needs an admin token: set WOOCOM_ADMIN_TOKEN"
        )
    url = f"{str(outputs['api_url']).rstrip('/')}/products/{sku}"
    request = urllib.request.Request(  # noqa: S310 - the API URL of our own outputs
        url,
        data=json.dumps(CANARY_PRODUCT).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our API's URL
        print(f"canary product {sku}: {'created' if response.status == 201 else 'restocked'}")


def _answers(url: str) -> bool:
    if not url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - checked above
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    raise SystemExit(main())
