"""The CloudWatch Synthetics entry point (`syn-python-selenium-14.0`): a thin adapter.

Only this file knows `aws_synthetics`; the steps are `render_check.run`, the
same ones `nox -s canary` runs locally. In the canary's zip both files sit in
`python/` (so the import below falls back to the flat name), and the handler is
`synthetics.handler`. Settings come from the canary's environment (CANARY_*).
"""

from __future__ import annotations

from typing import Any

from aws_synthetics.common import synthetics_logger as logger  # type: ignore[import-not-found]
from aws_synthetics.selenium import (  # type: ignore[import-not-found]
    synthetics_webdriver as syn_webdriver,
)

try:
    from woocom.canary import render_check
except ImportError:  # inside the canary zip: python/render_check.py
    import render_check  # type: ignore[import-not-found, no-redef]


def handler(event: Any, context: Any) -> str:  # noqa: ARG001 - the Lambda signature
    settings = render_check.Settings.from_env()
    browser = syn_webdriver.Chrome()
    report = render_check.run(browser, settings, step=syn_webdriver.execute_step)
    logger.info(
        f"render check passed: {report.products_seen} products, opened "
        f"{report.product_opened!r}, order {report.order_id or '-'}, load {report.load_ms:.0f} ms"
    )
    return "render check passed"
