"""The render check passes on a working storefront and fails, in plain words, on a broken one."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from stand_in import PRODUCTS, Storefront

from woocom.canary import local
from woocom.canary.__main__ import main as canary_main
from woocom.canary.local import StepRecorder
from woocom.canary.render_check import RenderCheckError, Settings, run

FAST = {"timeout_s": 5.0, "load_budget_ms": 20_000}  # generous: a busy machine is slow, not broken


def check(browser: Any, site: Storefront, **settings: Any) -> Any:
    return run(browser, Settings(site.url, read_only=True, **{**FAST, **settings}))


def test_a_working_storefront_passes(browser: Any, storefront: Storefront) -> None:
    report = check(browser, storefront)

    assert report.products_seen == len(PRODUCTS)
    assert report.product_opened == "Mug number 1"
    assert report.notes == ["read-only: no order placed"]


def test_index_html_without_its_script_fails(browser: Any, storefront: Storefront) -> None:
    storefront.files["index.html"] = re.sub(
        rb"<script[^>]*></script>", b"", storefront.files["index.html"]
    )
    with pytest.raises(RenderCheckError, match=r"has no <script>: index\.html was published"):
        check(browser, storefront)


def test_a_500_from_the_product_list_fails(browser: Any, storefront: Storefront) -> None:
    storefront.products_status = 500
    with pytest.raises(RenderCheckError) as failure:
        check(browser, storefront)
    message = str(failure.value)
    assert "the product list did not load; the page says:" in message
    assert "/api/products" in message
    assert "-> 500" in message


def test_config_json_pointing_at_the_wrong_api_fails(browser: Any, storefront: Storefront) -> None:
    storefront.config["api_base_url"] = "http://127.0.0.1:9/api"  # nothing listens on port 9
    with pytest.raises(RenderCheckError) as failure:
        check(browser, storefront)
    message = str(failure.value)
    assert "the product list did not load" in message
    assert "config.json says api_base_url='http://127.0.0.1:9/api'" in message


def test_a_bundle_that_throws_at_start_fails(browser: Any, storefront: Storefront) -> None:
    storefront.break_file(".js", lambda js: b'throw new Error("exploded at start");\n' + js)
    with pytest.raises(RenderCheckError, match=r"crashed at start .* exploded at start"):
        check(browser, storefront)


def test_a_failed_step_leaves_a_screenshot_and_the_network_log(
    browser: Any, storefront: Storefront, tmp_path: Path
) -> None:
    storefront.products_status = 500
    lines: list[str] = []
    recorder = StepRecorder(browser, artifacts_dir=tmp_path, print_line=lines.append)

    with pytest.raises(RenderCheckError):
        run(browser, Settings(storefront.url, **FAST), step=recorder)

    assert lines[-1] == "FAIL  products from the API are listed"
    by_suffix = {path.name.split("-listed", 1)[1]: path for path in recorder.evidence}
    assert set(by_suffix) == {".png", ".html", ".network.json", ".console.json"}
    assert by_suffix[".png"].read_bytes().startswith(b"\x89PNG")
    assert '"status": 500' in by_suffix[".network.json"].read_text()


def test_the_synthetics_adapter_runs_the_same_steps(
    browser: Any, storefront: Storefront, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canary runtime's modules, standing in with the two calls the adapter makes."""
    steps: list[str] = []
    webdriver = types.SimpleNamespace(
        Chrome=lambda: browser,
        execute_step=lambda name, action: steps.append(name) or action(),
    )
    logged: list[str] = []
    modules = {
        "aws_synthetics": types.ModuleType("aws_synthetics"),
        "aws_synthetics.selenium": types.SimpleNamespace(synthetics_webdriver=webdriver),
        "aws_synthetics.common": types.SimpleNamespace(
            synthetics_logger=types.SimpleNamespace(info=logged.append)
        ),
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setenv("CANARY_SITE_URL", storefront.url)
    monkeypatch.setenv("CANARY_LOAD_BUDGET_MS", "20000")
    monkeypatch.delitem(sys.modules, "woocom.canary.synthetics", raising=False)
    from woocom.canary import synthetics

    assert synthetics.handler({}, None) == "render check passed"
    assert steps == [
        "load the storefront",
        "products from the API are listed",
        "a product opens",
        "no console errors, no failed requests",
    ]
    assert "3 products" in logged[0]


def test_settings_come_from_the_canary_environment() -> None:
    settings = Settings.from_env(
        {"CANARY_SITE_URL": "https://shop.example", "CANARY_READ_ONLY": "false"}
    )
    assert settings == Settings("https://shop.example", read_only=False)
    assert Settings.from_env({"CANARY_SITE_URL": "https://shop.example"}).read_only
    with pytest.raises(RenderCheckError, match="CANARY_SITE_URL is not set"):
        Settings.from_env({})


def test_without_chromium_the_session_prints_the_apt_get_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert canary_main(["local"]) == 1

    assert f"`{local.INSTALL_HINT}`" in capsys.readouterr().err
    assert "apt-get install -y chromium chromium-driver" in local.INSTALL_HINT
