"""woocom.events builds the shapes Lambda really receives."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from woocom import events


def test_api_gateway_event_has_the_rest_v1_proxy_shape():
    event = events.api_gateway_event(
        "POST",
        "/orders/abc/cancel",
        resource="/orders/{order_id}/cancel",
        path_parameters={"order_id": "abc"},
        query=[("x", "1"), ("x", "2")],
        headers={"Authorization": "Bearer t"},
        body={"a": 1},
        claims={"cognito:groups": "admin"},
        request_id="req-1",
    )
    assert event["resource"] == "/orders/{order_id}/cancel"
    assert event["httpMethod"] == "POST"
    assert event["queryStringParameters"] == {"x": "2"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["multiValueHeaders"] == {"Authorization": ["Bearer t"]}
    assert event["body"] == '{"a": 1}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["requestId"] == "req-1"
    assert context["resourcePath"] == "/orders/{order_id}/cancel"
    assert context["path"] == "/local/orders/abc/cancel"
    assert context["authorizer"] == {"claims": {"cognito:groups": "admin"}}


def test_api_gateway_event_without_optional_parts_uses_nulls_like_api_gateway():
    event = events.api_gateway_event("GET", "/products")
    assert event["resource"] == "/products"
    assert event["headers"] is None
    assert event["queryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["body"] is None
    assert "authorizer" not in event["requestContext"]


def test_binary_bodies_are_base64_encoded():
    event = events.api_gateway_event("PUT", "/x", body=b"\xff\x00")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\x00"
    assert events.api_gateway_event("PUT", "/x", body=b"text")["body"] == "text"


def test_sqs_event_from_bodies_and_from_received_messages():
    received = {
        "MessageId": "m-1",
        "ReceiptHandle": "r-1",
        "Body": "{}",
        "MD5OfBody": "abc",
        "Attributes": {"ApproximateReceiveCount": "3"},
        "MessageAttributes": {"correlation_id": {"StringValue": "c", "DataType": "String"}},
    }
    event = events.sqs_event(["hello", received], queue_arn="arn:aws:sqs:eu-west-1:1:q")
    first, second = event["Records"]
    assert first["body"] == "hello"
    assert first["eventSource"] == "aws:sqs"
    assert first["awsRegion"] == "eu-west-1"
    assert len(first["md5OfBody"]) == 32
    assert second["messageId"] == "m-1"
    assert second["attributes"]["ApproximateReceiveCount"] == "3"
    assert second["messageAttributes"] == {
        "correlation_id": {"stringValue": "c", "dataType": "String"}
    }


def test_s3_event_url_encodes_keys_like_s3():
    record = events.s3_event(
        "bucket", ["imports/spring sale+1.csv"], sizes={"imports/spring sale+1.csv": 12}
    )["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"]["name"] == "bucket"
    assert record["s3"]["object"]["key"] == "imports/spring+sale%2B1.csv"
    assert record["s3"]["object"]["size"] == 12


def test_scheduled_event_and_context(monkeypatch):
    clock = [1000.0]  # the context counts down on time.monotonic: drive it by hand
    monkeypatch.setattr(events.time, "monotonic", lambda: clock[0])
    when = datetime(2025, 1, 31, 9, 15, tzinfo=UTC)
    event = events.scheduled_event("arn:aws:events:eu-west-1:111:rule/r", when=when)
    assert event["detail-type"] == "Scheduled Event"
    assert (event["account"], event["region"]) == ("111", "eu-west-1")
    assert event["time"] == "2025-01-31T09:15:00Z"
    context = events.lambda_context("fn", timeout=3, memory=512)
    assert context.get_remaining_time_in_millis() == 3000
    clock[0] += 1.25
    assert context.get_remaining_time_in_millis() == 1750
    clock[0] += 5
    assert context.get_remaining_time_in_millis() == 0
    assert context.invoked_function_arn.endswith(":function:fn")
    assert context.log_group_name == "/aws/lambda/fn"
    assert "[$LATEST]" in context.log_stream_name
    assert context.memory_limit_in_mb == 512
