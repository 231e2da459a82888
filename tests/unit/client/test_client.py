"""The typed client: generated from the API's own OpenAPI document, kept current in the example."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from woocom.client import __main__ as client_cli
from woocom.client import openapi_document, stale_files
from woocom.paths import REPO_ROOT

VENDORED = REPO_ROOT / "examples" / "storefront-web" / "src" / "api"


def test_the_example_app_vendors_the_current_client() -> None:
    fix = "nox -s client -- --out examples/storefront-web/src/api"
    assert stale_files(VENDORED) == [], fix


def test_a_changed_api_makes_the_vendored_client_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = openapi_document()
    changed = {**changed, "paths": {k: v for k, v in changed["paths"].items() if k != "/orders"}}
    monkeypatch.setattr("woocom.client.openapi_document", lambda: changed)

    problems = stale_files(VENDORED)

    assert len(problems) == 2
    assert "openapi.json differs from the document the API serves now" in problems[0]
    assert "schema.d.ts was not generated from the current document" in problems[1]


def test_check_command_names_the_stale_file_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(VENDORED, tmp_path, dirs_exist_ok=True)
    (tmp_path / "client.ts").write_text("// edited by hand\n")

    assert client_cli.main(["--check", str(tmp_path)]) == 1

    err = capsys.readouterr().err
    assert "client.ts differs" in err
    assert f"nox -s client -- --out {tmp_path}" in err


def test_check_command_accepts_the_committed_client(capsys: pytest.CaptureFixture[str]) -> None:
    assert client_cli.main(["--check", str(VENDORED)]) == 0
    assert "is current" in capsys.readouterr().out


def test_money_is_a_decimal_string_in_the_document_and_the_types() -> None:
    schemas = openapi_document()["components"]["schemas"]
    assert schemas["Product"]["properties"]["price"]["type"] == "string"
    assert schemas["Order"]["properties"]["total"]["type"] == "string"
    types = (VENDORED / "schema.d.ts").read_text()
    for name, field in (("Product", "price"), ("Order", "total"), ("OrderLine", "unit_price")):
        block = re.search(rf"\n        {name}: \{{(.*?)\n        \}};", types, re.DOTALL)
        assert block is not None, name
        assert re.search(rf"\b{field}: string;", block.group(1)), (name, field)


@pytest.mark.skipif(shutil.which("npm") is None, reason="needs npm (Node.js) to run the generator")
def test_generation_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    assert client_cli.main(["--out", str(tmp_path)]) == 0
    for name in ("openapi.json", "schema.d.ts", "client.ts"):
        assert (tmp_path / name).read_bytes() == (VENDORED / name).read_bytes(), name
