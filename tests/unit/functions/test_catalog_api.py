"""The catalog routes through the real catalog_api handler, on moto."""

from __future__ import annotations

import base64
import json
import re

import pytest
from openapi_spec_validator import validate

from storefront import openapi
from storefront.http import MAX_BODY_BYTES
from tests.factories import ADMIN, SHOPPER, api_event, product
from tests.unit.functions.support import invoke, to_result


def put(api, path_sku, **overrides):
    return api("PUT", "/products/{sku}", sku=path_sku, body=product(**overrides), claims=ADMIN)


def test_put_creates_then_replaces_and_get_returns_it(api):
    created = put(api, "MUG-1")
    assert created.status == 201
    assert created.body["price"] == "12.99"
    replaced = put(api, "MUG-1", stock=3)
    assert replaced.status == 200
    fetched = api("GET", "/products/{sku}", sku="MUG-1")
    assert fetched.status == 200
    assert fetched.body == {**product(stock=3), "sku": "MUG-1"}
    assert fetched.headers["Content-Type"] == "application/json"


def test_price_is_normalised_to_cents(api):
    created = put(api, "TEA-1", price="4.5")
    assert created.status == 201
    assert created.body["price"] == "4.50"


@pytest.mark.parametrize("price", ["4.5", "4", "4.0"])
def test_a_json_number_is_not_an_amount(api, price):
    # The document says string with a pattern: a number is refused, never rounded.
    body = f'{{"name": "Tea", "category": "tea", "price": {price}, "currency": "GBP", "stock": 1}}'
    refused = api("PUT", "/products/{sku}", sku="TEA-1", body=body, claims=ADMIN)
    assert refused.status == 400
    assert refused.body["error"]["details"][0]["field"] == "price"


@pytest.mark.parametrize("price", ["", " 4.50", "4.505", "1e2", "04.50", "1000000.01", "-1"])
def test_an_amount_outside_the_documented_pattern_is_refused(api, price):
    refused = put(api, "TEA-1", price=price)
    assert refused.status == 400
    assert refused.body["error"]["details"][0]["field"] == "price"


def test_the_sku_is_the_paths_alone(api):
    # A body naming a sku could contradict the path, which no schema can say: refused.
    refused = put(api, "MUG-1", sku="MUG-1")
    assert refused.status == 400
    assert refused.body["error"]["details"] == [{"field": "sku", "message": "unknown field"}]


def test_get_unknown_product_is_404(api):
    missing = api("GET", "/products/{sku}", sku="NOPE")
    assert missing.status == 404
    assert missing.body["error"]["code"] == "product_not_found"


def test_delete_removes_the_product_then_404(api):
    put(api, "MUG-1")
    deleted = api("DELETE", "/products/{sku}", sku="MUG-1", claims=ADMIN)
    assert deleted.status == 204
    assert deleted.body is None
    assert api("GET", "/products/{sku}", sku="MUG-1").status == 404
    assert api("DELETE", "/products/{sku}", sku="MUG-1", claims=ADMIN).status == 404


@pytest.mark.parametrize(
    ("claims", "status", "code"),
    [
        (None, 401, "unauthorized"),
        (SHOPPER, 403, "forbidden"),
        ({"cognito:groups": "ops"}, 403, "forbidden"),
    ],
)
def test_admin_routes_need_the_admin_group(api, claims, status, code):
    for method in ("PUT", "DELETE"):
        answer = api(method, "/products/{sku}", sku="MUG-1", body=product(), claims=claims)
        assert answer.status == status
        assert answer.body["error"]["code"] == code
    assert api("GET", "/products/{sku}", sku="MUG-1").status == 404  # nothing was written


@pytest.mark.parametrize("groups", ["admin", "ops,admin", "[ops admin]", ["ops", "admin"]])
def test_every_shape_of_the_groups_claim_is_understood(api, groups):
    answer = api(
        "PUT", "/products/{sku}", sku="MUG-1", body=product(), claims={"cognito:groups": groups}
    )
    assert answer.status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (product(price="12.999"), "price"),
        (product(price="-1"), "price"),
        (product(price="NaN"), "price"),
        (product(price="twelve"), "price"),
        (product(currency="EURO"), "currency"),
        (product(currency="ABC"), "currency"),
        (product(stock=-1), "stock"),
        (product(stock="5"), "stock"),
        (product(stock=True), "stock"),
        (product(stock=1.5), "stock"),
        (product(name=""), "name"),
        (product(category="Kitchen Stuff"), "category"),
        (product(colour="blue"), "colour"),
        ({k: v for k, v in product().items() if k != "price"}, "price"),
    ],
)
def test_invalid_product_bodies_are_400_naming_the_field(api, body, field):
    answer = api("PUT", "/products/{sku}", sku="MUG-1", body=body, claims=ADMIN)
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_request"
    assert field in [d["field"] for d in answer.body["error"]["details"]]


def test_json_nan_literal_is_malformed(api):
    body = json.dumps(product()).replace('"12.99"', "NaN")
    answer = api("PUT", "/products/{sku}", sku="MUG-1", body=body, claims=ADMIN)
    assert answer.status == 400
    assert answer.body["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("body", ["{", "", "[]", "null", '"text"', "[" * 100_00 + "]" * 100_00])
def test_malformed_or_non_object_bodies_are_400(api, body):
    answer = api("PUT", "/products/{sku}", sku="MUG-1", body=body, claims=ADMIN)
    assert answer.status == 400
    assert answer.body["error"]["code"] in {"malformed_json", "invalid_request"}


def test_invalid_sku_in_the_path_is_400(api):
    answer = api("PUT", "/products/{sku}", sku="bad sku!", body=product(), claims=ADMIN)
    assert answer.status == 400
    assert answer.body["error"]["details"][0]["field"] == "sku"


def test_oversized_body_is_413(api):
    body = product(description="x" * (MAX_BODY_BYTES + 1))
    answer = api("PUT", "/products/{sku}", sku="MUG-1", body=body, claims=ADMIN)
    assert answer.status == 413
    assert answer.body["error"]["code"] == "payload_too_large"


def test_base64_bodies_are_decoded_like_api_gateway_binary_media(api):
    raw = json.dumps(product()).encode()
    event = api_event("PUT", "/products/{sku}", sku="MUG-1", claims=ADMIN)
    event["body"], event["isBase64Encoded"] = base64.b64encode(raw).decode(), True
    assert to_result(invoke("catalog_api", event)).status == 201
    event["body"] = "%%%not base64"
    assert to_result(invoke("catalog_api", event)).status == 400


def test_non_utf8_body_is_400(api):
    answer = api("PUT", "/products/{sku}", sku="MUG-1", body=b"\xff\xfe{", claims=ADMIN)
    assert answer.status == 400


def seed(api, count, category="kitchen"):
    for i in range(count):
        put(api, f"{category[:3].upper()}-{i:03d}", category=category)


def test_list_by_category_pages_with_a_cursor_until_exhausted(api):
    seed(api, 5, "kitchen")
    seed(api, 2, "garden")
    seen, cursor, pages = [], None, 0
    while True:
        query = {"category": "kitchen", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api("GET", "/products", query=query)
        assert page.status == 200
        seen += [p["sku"] for p in page.body["items"]]
        pages += 1
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"KIT-{i:03d}" for i in range(5)]
    assert pages == 3  # 2 + 2 + 1, and no empty last page


def test_list_without_category_returns_every_product_by_sku(api):
    seed(api, 2, "kitchen")
    seed(api, 2, "garden")
    page = api("GET", "/products", query={"limit": "100"})
    assert [p["sku"] for p in page.body["items"]] == ["GAR-000", "GAR-001", "KIT-000", "KIT-001"]
    assert page.body["next_cursor"] is None


@pytest.mark.parametrize("name", ["category", "limit", "cursor"])
def test_an_empty_query_value_is_refused_naming_it(api, name):
    # `?limit=` is not the default page size: the document says an integer from 1 to 100.
    answer = api("GET", "/products", query={name: ""})
    assert answer.status == 400
    assert answer.body["error"]["details"][0]["field"] == name


@pytest.mark.parametrize("limit", ["2.0", "+2", "02", " 2", "2 "])
def test_a_page_size_is_plain_digits(api, limit):
    answer = api("GET", "/products", query={"limit": limit})
    assert answer.status == 400
    assert answer.body["error"]["details"][0]["field"] == "limit"


def test_unknown_query_parameters_of_a_public_listing_are_ignored(api):
    # Links from campaigns and cache busters must not break the catalog.
    seed(api, 1, "kitchen")
    query = {"category": "kitchen", "utm_source": "newsletter", "_": "1717171717"}
    page = api("GET", "/products", query=query)
    assert page.status == 200
    assert [p["sku"] for p in page.body["items"]] == ["KIT-000"]


def test_query_parameters_only_in_the_multi_value_map_are_read(api):
    # Some integrations (and test events) fill only multiValueQueryStringParameters.
    seed(api, 2, "kitchen")
    seed(api, 1, "garden")
    event = api_event("GET", "/products", query=[("category", "tea"), ("category", "garden")])
    event["queryStringParameters"] = None
    page = to_result(invoke("catalog_api", event))
    assert page.status == 200
    assert [p["category"] for p in page.body["items"]] == ["garden"]


def test_path_parameters_arrive_url_encoded_and_are_decoded(api):
    # API Gateway REST passes the path parameter as it appears in the URL.
    put(api, "MUG.1")
    event = api_event("GET", "/products/{sku}", sku="MUG%2E1")
    answer = to_result(invoke("catalog_api", event))
    assert answer.status == 200
    assert answer.body["sku"] == "MUG.1"


def test_a_cursor_of_another_listing_is_rejected(api):
    seed(api, 3, "kitchen")
    seed(api, 3, "garden")
    cursor = api("GET", "/products", query={"category": "kitchen", "limit": "1"}).body[
        "next_cursor"
    ]
    answer = api("GET", "/products", query={"category": "garden", "cursor": cursor})
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "e30",  # {}
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'{"pk": 1}').decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "x" * 3000,
    ],
)
def test_bad_cursors_are_400(api, cursor):
    answer = api("GET", "/products", query={"cursor": cursor})
    assert answer.status == 400
    assert answer.body["error"]["code"] in {"invalid_cursor", "invalid_request"}


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"category": "UP"}],
)
def test_bad_query_parameters_are_400(api, query):
    answer = api("GET", "/products", query=query)
    assert answer.status == 400
    assert answer.body["error"]["code"] == "invalid_request"


def test_unknown_method_and_route_are_405_and_404(resources):
    wrong_method = to_result(invoke("catalog_api", api_event("POST", "/products")))
    assert wrong_method.status == 405
    assert "GET" in wrong_method.body["error"]["message"]
    assert wrong_method.headers["Allow"] == "GET"  # RFC 9110: a 405 lists what is allowed
    unknown = to_result(invoke("catalog_api", api_event("GET", "/nothing")))
    assert unknown.status == 404


def test_the_correlation_id_comes_back_and_is_logged(api, capsys):
    answer = api("GET", "/products/{sku}", sku="NOPE", headers={"X-Correlation-Id": "trace-42"})
    assert answer.headers["X-Correlation-Id"] == "trace-42"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    access = [line for line in lines if line.get("status") == 404]
    assert access
    assert access[0]["correlation_id"] == "trace-42"


def test_openapi_document_is_valid_and_lists_every_route_of_stack_yaml(api, stack):
    answer = api("GET", "/openapi.json")
    assert answer.status == 200
    validate(answer.body)
    documented = {
        (method.upper(), path) for path, ops in answer.body["paths"].items() for method in ops
    }
    declared = {(t.method, t.path) for _, t in stack.routes()}
    assert documented == declared
    admin = {(t.method, t.path) for _, t in stack.routes() if t.auth == "admin"}
    secured = {
        (method.upper(), path)
        for path, ops in answer.body["paths"].items()
        for method, op in ops.items()
        if op.get("security")
    }
    assert secured == admin


def test_the_served_document_is_the_one_the_routers_declare(api, stack):
    # Regenerate with: PYTHONPATH=functions python -m storefront.openapi catalog_api orders_api
    functions = sorted({name for name, _ in stack.routes()})
    expected = openapi.render(openapi.routers_of(functions))
    assert openapi.SERVED.read_text(encoding="utf-8") == expected, (
        "functions/storefront/openapi.json is stale: regenerate it with "
        f"`PYTHONPATH=functions python -m storefront.openapi {' '.join(functions)}`"
    )
    assert api("GET", "/openapi.json").body == json.loads(expected)


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_the_document_uses_json_schema_keywords_only(api):
    document = api("GET", "/openapi.json").body
    private = {"decimal_places", "max_digits", "ge", "le", "gt", "lt", "strict"}
    leaked = [sorted(private & set(node)) for node in walk(document) if private & set(node)]
    assert leaked == []


def test_the_document_states_every_status_and_amounts_as_strings(api):
    document = api("GET", "/openapi.json").body
    put_product = document["paths"]["/products/{sku}"]["put"]
    assert {"200", "201", "400", "401", "403", "413", "503"} <= set(put_product["responses"])
    schemas = document["components"]["schemas"]
    price = schemas["ProductBody"]["properties"]["price"]
    assert price["type"] == "string"
    assert re.fullmatch(price["pattern"], "12.99")
    assert not re.fullmatch(price["pattern"], "12.999")
    assert "EUR" in schemas["ProductBody"]["properties"]["currency"]["enum"]
    (key,) = document["paths"]["/orders"]["post"]["parameters"]
    assert (key["name"], key["in"], key["schema"]["pattern"]) == (
        "Idempotency-Key",
        "header",
        "^[\\x21-\\x7e]{1,200}$",
    )
    created = document["paths"]["/orders"]["post"]["responses"]["201"]
    assert created["headers"]["Location"]["required"] is True
    limits = {p["name"]: p["schema"] for p in document["paths"]["/products"]["get"]["parameters"]}
    assert limits["limit"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert "pattern" in limits["cursor"]


def test_who_repriced_a_product_is_logged_with_the_action(api, capsys):
    put(api, "MUG-1")
    capsys.readouterr()
    claims = {**ADMIN, "sub": "51f2-sub", "cognito:username": "bob"}
    body = product(price="9.99")
    assert api("PUT", "/products/{sku}", sku="MUG-1", body=body, claims=claims).status == 200
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (audit,) = [line for line in lines if line.get("audit") == "admin_action"]
    assert audit["action"] == "put_product"
    assert (audit["actor_sub"], audit["actor_username"]) == ("51f2-sub", "bob")
    assert (audit["target"], audit["status"]) == ({"sku": "MUG-1"}, 200)


def aws_rest_proxy_event(method, resource, path, path_parameters, multi_query, claims=None):
    """A REST (v1) proxy event laid out as AWS documents it, written out field by field
    rather than built by woocom.events: only the multi-value query map, %-encoded path
    parameters, the Cognito authorizer's claims as strings."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {
            "Accept": "application/json",
            "Host": "abc123.execute-api.eu-west-1.amazonaws.com",
        },
        "multiValueHeaders": {
            "Accept": ["application/json"],
            "Host": ["abc123.execute-api.eu-west-1.amazonaws.com"],
        },
        "queryStringParameters": None,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "2gxmpl",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "JJbxmplHYosFVYQ=",
            "requestTime": "10/Mar/2020:00:03:59 +0000",
            "path": f"/prod{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": "abc123",
            "requestTimeEpoch": 1583798639428,
            "requestId": "77375676-xmpl-4b79-853a-f982474efe18",
            "identity": {"sourceIp": "52.255.255.12", "userAgent": "curl/7.66.0"},
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "apiId": "abc123",
            **({"authorizer": {"claims": claims}} if claims else {}),
        },
        "body": None,
        "isBase64Encoded": False,
    }


def test_an_event_shaped_as_aws_sends_it_is_understood(api, capsys):
    put(api, "MUG.1", category="kitchen")
    lookup = aws_rest_proxy_event(
        "GET", "/products/{sku}", "/products/MUG%2E1", {"sku": "MUG%2E1"}, None
    )
    assert to_result(invoke("catalog_api", lookup)).body["sku"] == "MUG.1"
    listing = aws_rest_proxy_event(
        "GET", "/products", "/products", None, {"category": ["kitchen"], "utm_source": ["ad"]}
    )
    page = to_result(invoke("catalog_api", listing))
    assert (page.status, [p["sku"] for p in page.body["items"]]) == (200, ["MUG.1"])
    claims = {
        "sub": "0a1b-sub",
        "cognito:groups": "admin",
        "cognito:username": "carol",
        "email_verified": "true",
        "token_use": "id",
    }
    delete = aws_rest_proxy_event(
        "DELETE", "/products/{sku}", "/products/MUG%2E1", {"sku": "MUG%2E1"}, None, claims
    )
    capsys.readouterr()
    assert to_result(invoke("catalog_api", delete)).status == 204
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (audit,) = [line for line in lines if line.get("audit") == "admin_action"]
    assert (audit["actor_username"], audit["action"], audit["target"]) == (
        "carol",
        "delete_product",
        {"sku": "MUG.1"},
    )
