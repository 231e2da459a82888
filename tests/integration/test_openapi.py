"""The API describes itself: a valid OpenAPI 3 document covering every declared route."""

from __future__ import annotations

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
