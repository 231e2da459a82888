"""Property: no request body, however wrong, makes the API answer 5xx."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ADMIN, api_event, order, product
from tests.unit.functions.support import invoke, to_result

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def mutated(base):
    """A valid body with one field replaced, dropped or added."""
    return st.one_of(
        st.builds(lambda k, v: {**base, k: v}, st.sampled_from(sorted(base)), json_values),
        st.builds(
            lambda k: {x: y for x, y in base.items() if x != k}, st.sampled_from(sorted(base))
        ),
        st.builds(lambda k, v: {**base, k: v}, st.text(max_size=8), json_values),
    )


order_bodies = st.one_of(
    json_values.map(json.dumps),
    mutated(order(("MUG-1", 1))).map(json.dumps),
    st.builds(
        lambda q, s: json.dumps({"email": "a@b.co", "items": [{"sku": s, "quantity": q}]}),
        json_values,
        st.text(max_size=70),
    ),
    st.binary(max_size=64),
    st.text(max_size=64),
)
product_bodies = st.one_of(
    json_values.map(json.dumps), mutated(product()).map(json.dumps), st.binary(max_size=64)
)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(body=order_bodies, key=st.one_of(st.none(), st.text(max_size=250)))
def test_no_order_body_yields_a_5xx(resources, body, key):
    headers = {"Idempotency-Key": key} if key is not None else None
    answer = to_result(
        invoke("orders_api", api_event("POST", "/orders", body=body, headers=headers))
    )
    assert answer.status < 500, answer.body


@FUZZ
@given(body=product_bodies, sku=st.text(max_size=80))
def test_no_product_body_or_sku_yields_a_5xx(resources, body, sku):
    event = api_event("PUT", "/products/{sku}", sku=sku or "x", body=body, claims=ADMIN)
    answer = to_result(invoke("catalog_api", event))
    assert answer.status < 500, answer.body


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["category", "limit", "cursor", "x"]), st.text(max_size=40), max_size=3
    )
)
def test_no_query_yields_a_5xx(resources, query):
    answer = to_result(invoke("catalog_api", api_event("GET", "/products", query=query)))
    assert answer.status < 500, answer.body


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["status", "limit", "cursor", "utm_source"]),
        st.text(max_size=40),
        max_size=3,
    ),
    order_id=st.text(max_size=80),
    multi_value_only=st.booleans(),
)
def test_no_order_lookup_or_listing_yields_a_5xx(resources, query, order_id, multi_value_only):
    listing = api_event("GET", "/orders", query=query, claims=ADMIN)
    if multi_value_only:
        listing["queryStringParameters"] = None
    lookup = api_event("GET", "/orders/{order_id}", order_id=order_id or "x")
    cancel = api_event("POST", "/orders/{order_id}/cancel", order_id=order_id or "x", claims=ADMIN)
    for event in (listing, lookup, cancel):
        answer = to_result(invoke("orders_api", event))
        assert answer.status < 500, answer.body
