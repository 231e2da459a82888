"""The bootstrap's IAM documents, rendered once per test session by real Terraform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from woocom.iam.render import Documents, render

BEFORE = Path(__file__).with_name("before_f70814d_staging.json")


@pytest.fixture(scope="session")
def iam_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("iam")


@pytest.fixture(scope="session")
def rendered(iam_dir: Path) -> dict[str, Documents]:
    return render(iam_dir)


@pytest.fixture(scope="session")
def stack_roles(rendered: dict[str, Documents], iam_dir: Path) -> dict[str, str | None]:
    """Every role of the rendered stack => its permissions boundary (None for none)."""
    from woocom.iam.functions import stack_roles as read

    return read(iam_dir)


@pytest.fixture(scope="session")
def before() -> dict[str, Any]:
    """What terraform/bootstrap attached before issue 12 (staging account), transcribed."""
    documents: dict[str, Any] = json.loads(BEFORE.read_text(encoding="utf-8"))
    return documents
