"""The render check on this machine: headless Chromium (Debian's `chromium` + `chromium-driver`).

A failed step leaves its evidence under `.woocom/canary/`: a screenshot, the
page's HTML, the console errors and the network log (every request and response
of the page, from Chromium's performance log), named after the run and the step.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from woocom.canary.render_check import PRODUCTS_STEP, RenderCheckError, console_errors
from woocom.paths import STATE_DIR

if TYPE_CHECKING:  # selenium is imported when a browser starts
    from selenium.webdriver.remote.webdriver import WebDriver

T = TypeVar("T")
ARTIFACTS_DIR = STATE_DIR / "canary"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)
INSTALL_HINT = "sudo apt-get update && sudo apt-get install -y chromium chromium-driver"


class BrowserMissingError(RuntimeError):
    """No Chromium or chromedriver here; the message has the install line."""


def find_browser() -> tuple[str, str]:
    """Paths of the browser and its driver, or BrowserMissingError with the apt-get line."""
    browser = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver = next((path for name in DRIVERS if (path := shutil.which(name))), None)
    if browser is None or driver is None:
        missing = " and ".join(
            what for what, path in (("chromium", browser), ("chromedriver", driver)) if not path
        )
        raise BrowserMissingError(f"{missing} not found: install them with `{INSTALL_HINT}`")
    return browser, driver


@contextmanager
def chromium(window: tuple[int, int] = (1280, 900)) -> Iterator[WebDriver]:
    """A headless Chromium that keeps its network log, closed on exit whatever happens."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        f"--window-size={window[0]},{window[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class StepRecorder:
    """Runs steps, prints one line each, keeps the evidence of the one that fails."""

    driver: WebDriver
    artifacts_dir: Path = ARTIFACTS_DIR
    print_line: Callable[[str], None] = print
    run_id: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    evidence: list[Path] = field(default_factory=list)
    screenshot: Path | None = None  # where to save the product list once it renders

    def __call__(self, name: str, action: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            result = action()
        except Exception as exc:
            self.evidence = self.save_evidence(name)
            self.print_line(f"FAIL  {name}")
            if isinstance(exc, RenderCheckError):
                raise
            raise RenderCheckError(f"{name}: {type(exc).__name__}: {exc}") from exc
        self.print_line(f"ok    {name} ({(time.perf_counter() - started) * 1000:.0f} ms)")
        if self.screenshot is not None and name == PRODUCTS_STEP:
            self.screenshot.parent.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(self.screenshot))
        return result

    def save_evidence(self, step: str) -> list[Path]:
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        stem = self.artifacts_dir / f"{self.run_id}-{'-'.join(step.split())}"
        saved: list[Path] = []
        driver = self.driver
        writers: list[tuple[str, Callable[[Path], object]]] = [
            (".png", lambda path: driver.save_screenshot(str(path))),
            (".html", lambda path: path.write_text(driver.page_source, encoding="utf-8")),
            (".network.json", lambda path: path.write_text(json.dumps(self.network_log()))),
            (".console.json", lambda path: path.write_text(json.dumps(console_errors(driver)))),
        ]
        for suffix, write in writers:
            path = stem.with_name(stem.name + suffix)
            try:
                write(path)
                saved.append(path)
            except Exception as exc:  # evidence is best effort; the failure itself is reported
                self.print_line(f"      (could not save {path.name}: {exc})")
        return saved

    def network_log(self) -> list[dict[str, Any]]:
        """Requests and responses of the page (Network.* events of the performance log)."""
        events = []
        chrome: Any = self.driver  # get_log is Chromium's, not the base WebDriver's
        for entry in chrome.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] in (
                "Network.requestWillBeSent",
                "Network.responseReceived",
                "Network.loadingFailed",
            ):
                params = message["params"]
                events.append(
                    {
                        "event": message["method"].split(".", 1)[1],
                        "url": params.get("request", params.get("response", {})).get("url"),
                        "method": params.get("request", {}).get("method"),
                        "status": params.get("response", {}).get("status"),
                        "error": params.get("errorText"),
                        "request_id": params.get("requestId"),
                    }
                )
        return events
