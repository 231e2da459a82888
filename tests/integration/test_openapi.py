"""The API describes itself: a valid OpenAPI 3 document covering every declared route."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from woocom.config import load_stack
from woocom.local.client import HttpClient


def test_openapi_document_is_valid_and_complete(api: HttpClient) -> None:
    response = api.get("/openapi.json")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    for _, trigger in load_stack().routes():
        assert trigger.method.lower() in document["paths"].get(trigger.path, {}), trigger.route


def test_the_stack_serves_the_document_generated_from_this_checkout(api: HttpClient) -> None:
    generated = Path(__file__).parents[2] / "functions" / "storefront" / "openapi.json"
    assert api.get("/openapi.json").json() == json.loads(generated.read_text(encoding="utf-8"))
