"""The render check: does the storefront show real products, and can a visitor shop?

The same steps run in three places: `nox -s canary -- <target>` (headless Chromium
here), the integration suite, and the CloudWatch Synthetics canary
(`syn-python-selenium-14.0`: Python 3.12, Selenium 4.32). So this module needs
only the standard library and Selenium; the runtimes differ only in how a
browser is made and how a step is recorded (`synthetics.py` for AWS, `local.py`).

Each failure raises `RenderCheckError` with a sentence a person can act on: what the
page showed, what the browser console said, which request failed.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin

from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

T = TypeVar("T")
Step = Callable[[str, Callable[[], T]], T]

PRODUCT_ITEMS = 'ul[aria-label="Product list"] > li'
PRICE = re.compile(r"\d+\.\d{2} [A-Z]{3}")
ALERT = '[role="alert"]'
STATUS = '[role="status"]'
PRODUCTS_STEP = "products from the API are listed"
ORDER_PATH = re.compile(r"/orders/([^/?#]+)$")

# Installed before any script of the page runs: console errors, uncaught
# exceptions and rejected promises are kept where the check can read them.
ERROR_RECORDER = """
window.__canary = {errors: []};
const keep = (text) => window.__canary.errors.push(String(text).slice(0, 500));
const original = console.error.bind(console);
console.error = (...args) => {
  keep(args.map((a) => (a && a.stack ? a.stack : a)).join(' '));
  original(...args);
};
window.addEventListener('error', (e) => keep(e.message + (e.filename ? ' at ' + e.filename : '')));
window.addEventListener('unhandledrejection', (e) => keep('unhandled rejection: ' + e.reason));
"""


class RenderCheckError(AssertionError):
    """The storefront does not work as a visitor expects; the message says how."""


@dataclass(frozen=True)
class Settings:
    """What to check; from the environment in AWS (`CANARY_*`), from the outputs locally."""

    site_url: str
    read_only: bool = True  # production: browse only, never order
    canary_sku: str = "CANARY-1"
    email: str = "canary@woocom.invalid"
    load_budget_ms: int = 3000
    timeout_s: float = 20.0
    order_timeout_s: float = 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """CANARY_SITE_URL (required), CANARY_READ_ONLY, CANARY_SKU, CANARY_LOAD_BUDGET_MS."""
        site_url = environ.get("CANARY_SITE_URL", "")
        if not site_url:
            raise RenderCheckError(
                "CANARY_SITE_URL is not set: the canary does not know what to load"
            )
        return cls(
            site_url=site_url,
            read_only=environ.get("CANARY_READ_ONLY", "true").lower() != "false",
            canary_sku=environ.get("CANARY_SKU", cls.canary_sku),
            load_budget_ms=int(environ.get("CANARY_LOAD_BUDGET_MS", cls.load_budget_ms)),
        )


@dataclass
class Report:
    load_ms: float = 0.0
    products_seen: int = 0
    product_opened: str = ""
    order_id: str | None = None
    notes: list[str] = field(default_factory=list)


def just_run(_name: str, action: Callable[[], T]) -> T:
    """The plainest step runner: call it."""
    return action()


def install_error_recorder(driver: WebDriver) -> None:
    """Record console errors from the first script on (Chromium's DevTools protocol)."""
    execute_cdp = getattr(driver, "execute_cdp_cmd", None)
    if execute_cdp is not None:
        execute_cdp("Page.addScriptToEvaluateOnNewDocument", {"source": ERROR_RECORDER})


def run(driver: WebDriver, settings: Settings, step: Step[Any] = just_run) -> Report:
    """Every step, in order; raises RenderCheckError at the first thing a visitor would notice."""
    report = Report()
    install_error_recorder(driver)
    step("load the storefront", lambda: _load(driver, settings, report))
    step(PRODUCTS_STEP, lambda: _products(driver, settings, report))
    step("a product opens", lambda: _open_product(driver, settings, report))
    step("no console errors, no failed requests", lambda: _hygiene(driver))
    if settings.read_only:
        report.notes.append("read-only: no order placed")
    else:
        step("an order is placed and confirmed", lambda: _order(driver, settings, report))
    return report


# --- steps ----------------------------------------------------------------------------


def _load(driver: WebDriver, settings: Settings, report: Report) -> None:
    driver.get(settings.site_url)
    _wait(
        driver,
        settings.timeout_s,
        lambda d: _js(d, "return document.readyState") == "complete",
        f"{settings.site_url} did not finish loading",
    )
    timing = _js(
        driver,
        "const n = performance.getEntriesByType('navigation')[0];"
        "return n ? n.loadEventEnd - n.startTime : null;",
    )
    report.load_ms = float(timing or 0)
    if report.load_ms > settings.load_budget_ms:
        raise RenderCheckError(
            f"the page took {report.load_ms:.0f} ms to load, over the budget of "
            f"{settings.load_budget_ms} ms"
        )


def _products(driver: WebDriver, settings: Settings, report: Report) -> None:
    rendered = _wait_for_any(
        driver,
        settings.timeout_s,
        [PRODUCT_ITEMS, '[role="alert"]'],
    )
    if rendered is None:
        raise RenderCheckError(_why_nothing_rendered(driver))
    if rendered == '[role="alert"]':
        shown = _text(driver, '[role="alert"]')
        raise RenderCheckError(
            f"the product list did not load; the page says: {shown!r}. "
            f"{_failed_requests_sentence(driver)}{_config_sentence(driver)}"
        )
    items = driver.find_elements(By.CSS_SELECTOR, PRODUCT_ITEMS)
    skus = [item.get_attribute("data-sku") or "" for item in items]
    without_price = [
        sku for sku, item in zip(skus, items, strict=True) if not PRICE.search(item.text)
    ]
    if without_price:
        raise RenderCheckError(f"products listed without a price: {', '.join(without_price)}")
    from_api = _api_skus(driver, len(items))
    if not set(skus) <= from_api:
        raise RenderCheckError(
            f"the page lists {sorted(set(skus) - from_api)}, which the API does not return: "
            "is the page showing stale or placeholder data?"
        )
    report.products_seen = len(items)


def _open_product(driver: WebDriver, settings: Settings, report: Report) -> None:
    link = driver.find_element(By.CSS_SELECTOR, f"{PRODUCT_ITEMS} a")
    name = link.text
    link.click()
    heading = _wait(
        driver,
        settings.timeout_s,
        lambda d: _heading_if(d, lambda text: text == name),
        f"opening {name!r} did not show its page (heading {_text(driver, 'h1')!r})",
    )
    page = driver.find_element(By.TAG_NAME, "article").text
    if not PRICE.search(page):
        raise RenderCheckError(f"the page of {name!r} shows no price")
    report.product_opened = str(heading)


def _order(driver: WebDriver, settings: Settings, report: Report) -> None:
    sku = settings.canary_sku
    driver.get(urljoin(settings.site_url, f"/products/{sku}"))
    found = _wait_for_any(driver, settings.timeout_s, ["article form button", '[role="alert"]'])
    if found != "article form button":
        raise RenderCheckError(
            f"the canary product {sku} cannot be opened ({_text(driver, ALERT)!r}): "
            f"create it with `nox -s canary -- <target> --ensure-product`"
        )
    _button(driver, "Add to cart").click()
    _wait(driver, settings.timeout_s, lambda d: _link(d, "Go to the cart"), "no link to the cart")
    _link(driver, "Go to the cart").click()
    email = _wait(
        driver,
        settings.timeout_s,
        lambda d: d.find_elements(By.CSS_SELECTOR, 'input[type="email"]'),
        "the cart shows no email field",
    )[0]
    email.send_keys(settings.email)
    _button(driver, "Place order").click()
    _wait(
        driver,
        settings.timeout_s,
        lambda d: (
            ORDER_PATH.search(d.current_url) or d.find_elements(By.CSS_SELECTOR, "[role=alert]")
        ),
        "placing the order showed neither the order nor an error",
    )
    match = ORDER_PATH.search(driver.current_url)
    if match is None:
        raise RenderCheckError(f"the order was refused: {_text(driver, ALERT)!r}")
    report.order_id = match.group(1)
    _wait(
        driver,
        settings.order_timeout_s,
        lambda d: (
            "CONFIRMED" in _text(d, '[role="status"]') or "FULFILLED" in _text(d, '[role="status"]')
        ),
        f"order {report.order_id} was not confirmed within {settings.order_timeout_s:.0f} s "
        f"(last status: {_text(driver, STATUS)!r}): is the order worker running?",
    )
    _hygiene(driver)


def _hygiene(driver: WebDriver) -> None:
    errors = console_errors(driver)
    if errors:
        raise RenderCheckError(f"the browser console shows {len(errors)} error(s): {errors[0]}")
    failed = failed_requests(driver)
    if failed:
        raise RenderCheckError(f"{len(failed)} request(s) failed: {'; '.join(failed[:3])}")


# --- what the browser knows -------------------------------------------------------------


def console_errors(driver: WebDriver) -> list[str]:
    recorded = _js(driver, "return (window.__canary || {errors: []}).errors;")
    return [str(error) for error in recorded or []]


def failed_requests(driver: WebDriver) -> list[str]:
    """Requests of this page that got an HTTP error or none at all (Resource Timing)."""
    entries = _js(
        driver,
        "return performance.getEntriesByType('resource')"
        ".map(e => [e.name, e.responseStatus === undefined ? -1 : e.responseStatus]);",
    )
    failed = []
    for url, status in entries or []:
        if status == 0 or (isinstance(status, int) and status >= 400):
            failed.append(f"{url} -> {status or 'no response'}")
    return failed


def _why_nothing_rendered(driver: WebDriver) -> str:
    scripts = _js(driver, "return document.scripts.length")
    errors = console_errors(driver)
    root_html = _js(
        driver, "const r = document.getElementById('root'); return r ? r.innerHTML : null;"
    )
    if not scripts:
        return (
            "the page loaded but has no <script>: index.html was published without the "
            "app's script tag (an incomplete build?)"
        )
    if errors:
        return (
            f"the app crashed at start and rendered nothing; the browser console says: {errors[0]}"
        )
    failed = failed_requests(driver)
    if failed:
        return f"the app rendered nothing; requests failed: {'; '.join(failed[:3])}"
    return (
        "the app rendered no product list and no error within the timeout "
        f"(root element: {str(root_html)[:200]!r})"
    )


def _failed_requests_sentence(driver: WebDriver) -> str:
    failed = failed_requests(driver)
    return f"Failed requests: {'; '.join(failed[:3])}. " if failed else ""


def _config_sentence(driver: WebDriver) -> str:
    config = _fetch_json(driver, "/config.json")
    if not isinstance(config, dict):
        return "config.json could not be read."
    return f"config.json says api_base_url={config.get('api_base_url')!r}."


def _api_skus(driver: WebDriver, limit: int) -> set[str]:
    """The SKUs the API returns for the page the app shows first (same query, same origin)."""
    config = _fetch_json(driver, "/config.json")
    base = str(config.get("api_base_url", "")) if isinstance(config, dict) else ""
    page = _fetch_json(driver, f"{base.rstrip('/')}/products?limit={max(limit, 6)}")
    if not isinstance(page, dict):
        raise RenderCheckError(f"the API at {base!r} did not answer the product list: {page!r}")
    return {str(item.get("sku")) for item in page.get("items", [])}


def _fetch_json(driver: WebDriver, url: str) -> Any:
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {cache: 'no-cache'})"
        ".then(r => r.text().then(t => done([r.status, t])))"
        ".catch(e => done([0, String(e)]));",
        url,
    )
    status, text = result
    if status != 200:
        return f"HTTP {status}: {str(text)[:200]}"
    try:
        return json.loads(text)
    except ValueError:
        return f"not JSON: {str(text)[:200]}"


# --- small helpers ------------------------------------------------------------------------


def _wait(
    driver: WebDriver, timeout: float, condition: Callable[[WebDriver], Any], message: str
) -> Any:
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)
    except TimeoutException:
        raise RenderCheckError(message) from None


def _wait_for_any(driver: WebDriver, timeout: float, selectors: list[str]) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for selector in selectors:
            try:
                if driver.find_elements(By.CSS_SELECTOR, selector):
                    return selector
            except WebDriverException:
                pass
        time.sleep(0.2)
    return None


def _js(driver: WebDriver, script: str, *args: Any) -> Any:
    return driver.execute_script(script, *args)  # type: ignore[no-untyped-call]


def _text(driver: WebDriver, selector: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0].text if found else ""


def _heading_if(driver: WebDriver, accept: Callable[[str], bool]) -> str | None:
    text = _text(driver, "h1")
    return text if text and accept(text) else None


def _button(driver: WebDriver, name: str) -> Any:
    for button in driver.find_elements(By.TAG_NAME, "button"):
        if button.text.strip() == name:
            return button
    raise RenderCheckError(f"no {name!r} button on {driver.current_url}")


def _link(driver: WebDriver, name: str) -> Any:
    for link in driver.find_elements(By.TAG_NAME, "a"):
        if link.text.strip() == name:
            return link
    return None
