"""The storefront in a browser: the render check's steps and the admin page, via the example app.

On `local` (and `localstack`) the reference storefront is built (cached) and
published to the stack's site bucket first; a deployed target is checked as it
is published. Needs Chromium + chromium-driver and Node.js: without them these
tests skip with the install line, unless WOOCOM_REQUIRE_BROWSER=1 (CI) makes
that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from woocom.canary.local import BrowserMissingError, chromium, find_browser
from woocom.canary.render_check import Settings, run
from woocom.local.client import HttpClient

from .support import Catalog, Target

EMULATED = ("local", "localstack")
WAIT_S = 20.0  # per wait; a busy machine is slow, not broken
BUDGET_MS = 30_000  # the page-load budget is for deployed stacks; here it only bounds the run


@pytest.fixture(scope="module")
def site_url(target: Target) -> str:
    missing = []
    try:
        find_browser()
    except BrowserMissingError as exc:
        missing.append(str(exc))
    if target.name in EMULATED and shutil.which("npm") is None:
        missing.append("npm is not installed: install Node.js 20.19+ to build the storefront")
    if missing:
        if os.environ.get("WOOCOM_REQUIRE_BROWSER") == "1":
            pytest.fail("browser tests required (WOOCOM_REQUIRE_BROWSER=1): " + "; ".join(missing))
        pytest.skip("; ".join(missing))
    if target.name in EMULATED:
        publish_example(target.name, target.outputs)
    url = target.outputs.get("site_url")
    if not url:
        pytest.skip(f"{target.name!r} has no site_url (a stack without the CDN)")
    return str(url)


def publish_example(environment: str, outputs: dict[str, Any]) -> None:
    from frontend_deploy.example import build_example
    from frontend_deploy.publish import Publisher, Target
    from frontend_deploy.rules import DEFAULT_CONFIG, load_rules
    from frontend_deploy.runtime_config import runtime_config

    site = Target(
        environment,
        outputs["site_bucket"],
        region=outputs.get("region") or "us-east-1",
        endpoint_url=outputs.get("aws_endpoint_url"),
        runtime_config=runtime_config(environment, outputs),
    )
    Publisher(site, load_rules(DEFAULT_CONFIG)[0]).publish(build_example())


@pytest.fixture(scope="module")
def browser(site_url: str) -> Iterator[Any]:
    with chromium() as driver:
        yield driver


def wait_for(driver: Any, condition: Any) -> Any:
    return WebDriverWait(driver, WAIT_S, poll_frequency=0.2).until(condition)


@pytest.mark.destructive
def test_the_render_check_shops_through_the_example_app(
    browser: Any, site_url: str, catalog: Catalog, api: HttpClient
) -> None:
    product = catalog.add("canary", stock=3, price="4.20")

    report = run(
        browser,
        Settings(
            site_url,
            read_only=False,
            canary_sku=product["sku"],
            load_budget_ms=BUDGET_MS,
            timeout_s=WAIT_S,
        ),
    )

    assert report.products_seen >= 1
    assert report.order_id is not None
    order = api.get(f"/orders/{report.order_id}").json()
    assert order["status"] in ("CONFIRMED", "FULFILLED")
    assert order["items"] == [{"sku": product["sku"], "quantity": 1, "unit_price": "4.20"}]
    assert api.get(f"/products/{product['sku']}").json()["stock"] == 2


def test_a_category_is_paged_with_next_cursor(
    browser: Any, site_url: str, catalog: Catalog
) -> None:
    names = {catalog.add(f"page{i}", category="paged")["name"] for i in range(7)}
    browser.get(f"{site_url.rstrip('/')}/?category={catalog.category('paged')}")

    def listed(driver: Any) -> list[str]:
        return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "ul[aria-label] > li a")]

    first = wait_for(browser, lambda d: listed(d) if len(listed(d)) == 6 else None)
    browser.find_element(By.XPATH, "//button[normalize-space()='Next page']").click()
    second = wait_for(browser, lambda d: listed(d) if listed(d) and listed(d) != first else None)

    assert set(first) | set(second) == names
    assert len(second) == 1
    assert "Page 2" in browser.find_element(By.CSS_SELECTOR, "nav[aria-label=Pages]").text


@pytest.mark.destructive
def test_an_admin_signs_in_with_cognito_and_edits_a_product(
    browser: Any, site_url: str, catalog: Catalog, api: HttpClient, target: Target
) -> None:
    if target.name not in EMULATED:
        pytest.skip("signs in with a user it creates in the emulator's pool")
    from woocom.local.cognito import ADMIN_GROUP, create_user, random_password

    username, password = f"web-admin-{target.run_id.lower()}", random_password()
    cognito = target.aws("cognito-idp")
    create_user(cognito, target.outputs["user_pool_id"], username, password, (ADMIN_GROUP,))
    product = catalog.add("edited", price="10.00")

    browser.get(f"{site_url.rstrip('/')}/admin")
    wait_for(browser, lambda d: d.find_elements(By.NAME, "username"))[0].send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
    sku_field = wait_for(browser, lambda d: d.find_elements(By.XPATH, labelled("SKU")))[0]
    sku_field.send_keys(product["sku"])
    browser.find_element(By.XPATH, "//button[normalize-space()='Load']").click()
    price = browser.find_element(By.XPATH, labelled("Price"))
    wait_for(browser, lambda d: price.get_attribute("value") == "10.00")
    price.clear()
    price.send_keys("12.34")
    browser.find_element(By.XPATH, "//button[normalize-space()='Save product']").click()
    status = wait_for(
        browser, lambda d: d.find_elements(By.XPATH, "//*[@role='status' or @role='alert']")
    )[0]

    assert status.get_attribute("role") == "status", status.text
    assert f"Saved {product['sku']}" in status.text
    assert api.get(f"/products/{product['sku']}").json()["price"] == "12.34"


def labelled(text: str) -> str:
    """XPath of the input inside the <label> whose own text is `text`."""
    return f"//label[normalize-space(text())='{text}']//input"


@pytest.mark.destructive
def test_nox_canary_checks_a_running_local_stack(
    site_url: str, target: Target, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    if target.name != "local":
        pytest.skip("`nox -s canary -- local` is about the local stack")
    from woocom.canary.__main__ import main

    outputs = tmp_path / "local.json"
    outputs.write_text(json.dumps(target.outputs))
    shot = tmp_path / "storefront.png"

    code = main(["local", "--outputs", str(outputs), "--screenshot", str(shot)])

    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "canary product CANARY-1:" in printed
    assert "ok    an order is placed and confirmed" in printed
    assert "render check passed" in printed
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_dev_publishes_the_storefront_with_its_config(
    site_url: str, target: Target, tmp_path: Any
) -> None:
    if target.name != "local":
        pytest.skip("the hook of `nox -s dev`")
    from frontend_deploy.example import publish_to_local_stack

    outputs = tmp_path / "local.json"
    outputs.write_text(json.dumps(target.outputs))

    publish_to_local_stack(outputs).join(timeout=300)

    with urllib.request.urlopen(f"{site_url}config.json", timeout=30) as response:
        config = json.load(response)
    assert config["environment"] == "local"
    assert config["api_base_url"] == "/api"
    assert config["cognito"]["user_pool_id"] == target.outputs["user_pool_id"]
