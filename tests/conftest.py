"""Test-wide options: `--target` chooses the stack the integration suite drives.

pytest tests/integration                      # local: starts the embedded stack itself
pytest tests/integration --target localstack  # LocalStack in Docker + Terraform
pytest tests/integration --target staging     # a deployed stack, non-destructive tests only
"""

from __future__ import annotations

import pytest

EMULATED_TARGETS = ("local", "localstack")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--target",
        default="local",
        help=(
            "stack the integration suite drives: local (default; the embedded emulator, "
            "started and stopped by the suite), localstack (Docker), or a deployed "
            "environment such as staging, pr-12 or dev-alice (destructive tests deselected)"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "destructive: changes what a shared deployed stack cannot get back (orders, stock); "
        "runs on local and localstack only",
    )
    config.addinivalue_line(
        "markers", "run_last: waits for something the suite started at its beginning"
    )
    if config.getoption("--target") == "localstack":
        from woocom.local.localstack import LocalStackUnavailableError, require_docker

        # Fail before collecting anything: every integration test would need the engine.
        try:
            require_docker()
        except LocalStackUnavailableError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.getoption("--target")
    for item in items:
        if "tests/integration/" in item.nodeid:
            item.add_marker(pytest.mark.integration)
    if target not in EMULATED_TARGETS:
        kept: list[pytest.Item] = []
        deselected: list[pytest.Item] = []
        for item in items:
            (deselected if item.get_closest_marker("destructive") else kept).append(item)
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept
    # Integration tests run last: the stack they share starts on first use and stops at the
    # end of the session, and no unit test's in-process AWS mock may overlap it. `run_last`
    # tests (expiry waits for an order placed at the start) come at the very end, so their
    # wait overlaps the rest of the suite.
    items.sort(
        key=lambda item: (
            item.get_closest_marker("integration") is not None,
            item.get_closest_marker("run_last") is not None,
        )
    )
