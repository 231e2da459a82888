"""Terraform deploys exactly the script `nox -s canary` runs."""

from __future__ import annotations

import io
import zipfile

from woocom.canary import package


def test_the_committed_canary_zip_matches_the_sources() -> None:
    fix = "python -m woocom.canary.package"
    assert package.ZIP_FILE.read_bytes() == package.zip_bytes(), f"stale: run {fix}"


def test_the_zip_has_the_layout_of_a_python_synthetics_canary() -> None:
    archive = zipfile.ZipFile(io.BytesIO(package.zip_bytes()))
    assert archive.namelist() == ["python/synthetics.py", "python/render_check.py"]
    handler = archive.read("python/synthetics.py").decode()
    assert "def handler(event: Any, context: Any)" in handler
    assert "import render_check" in handler  # the flat fallback used inside the zip


def test_the_zip_is_reproducible() -> None:
    assert package.zip_bytes() == package.zip_bytes()
