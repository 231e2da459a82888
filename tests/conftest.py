"""Test-wide options: `--target` chooses the stack the integration suite drives.

pytest tests/integration                      # local: starts the embedded stack itself
pytest tests/integration --target localstack  # LocalStack in Docker + Terraform
pytest tests/integration --target staging     # a deployed stack, non-destructive tests only

`--fast` is the inner loop (`nox -s test -- --fast`): it deselects the tests marked
`slow`, `terraform` or `run_last` and drops the coverage threshold, which only the whole suite can
meet. Bare `nox` (what CI runs) runs everything.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

EMULATED_TARGETS = ("local", "localstack")
# Markers --fast deselects: `terraform` tests run the Terraform toolchain, and `run_last`
# tests wait for something the suite started at its beginning (the one-minute expiry).
SLOW_MARKERS = ("slow", "terraform", "run_last")


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

    parser.addoption(
        "--fast",
        action="store_true",
        help=(
            "inner loop: deselect tests marked slow, terraform or run_last (PyPI installs, "
            "Terraform, signals, whole stacks, waits) and skip the coverage threshold; CI "
            "runs everything"
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
    if config.getoption("--fast"):
        # A part of the suite cannot reach the whole suite's coverage threshold.
        coverage = config.pluginmanager.getplugin("_cov")
        if coverage is not None and getattr(coverage, "options", None) is not None:
            coverage.options.cov_fail_under = 0
    if config.getoption("--target") == "localstack":
        from woocom.local.localstack import LocalStackUnavailableError, require_docker

        # Fail before collecting anything: every integration test would need the engine.
        try:
            require_docker()
        except LocalStackUnavailableError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.getoption("--fast"):
        return "--fast: tests marked slow, terraform or run_last deselected (`nox` runs them all)"
    return None


def _deselect(
    config: pytest.Config, items: list[pytest.Item], drop: Callable[[pytest.Item], bool]
) -> None:
    kept = [item for item in items if not drop(item)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if drop(item)])
        items[:] = kept


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    target = config.getoption("--target")
    for item in items:
        if "tests/integration/" in item.nodeid:
            item.add_marker(pytest.mark.integration)
    if config.getoption("--fast"):
        _deselect(config, items, lambda item: any(item.get_closest_marker(m) for m in SLOW_MARKERS))
    if target not in EMULATED_TARGETS:
        _deselect(config, items, lambda item: item.get_closest_marker("destructive") is not None)
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
