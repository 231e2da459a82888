"""The shared package's edges: settings, logs, errors that are not the client's fault."""

from __future__ import annotations

import importlib
import json

import pytest
from botocore.exceptions import ClientError

from storefront import aws, errors, logs, payments, settings
from storefront.errors import ConfigurationError
from storefront.http import STATUS, Reply, Response, Router
from tests.factories import api_event, context


def test_settings_come_from_the_environment_contract():
    found = settings.Settings.from_environ(
        {"TABLE_MAIN_NAME": "t", "ORDER_MAX_AGE_MINUTES": "5", "LOG_LEVEL": "debug"}
    )
    assert (found.require_table(), found.order_max_age_minutes, found.log_level) == (
        "t",
        5,
        "DEBUG",
    )


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_a_bad_number_names_the_variable(value):
    with pytest.raises(ConfigurationError, match="ORDER_MAX_AGE_MINUTES"):
        settings.Settings.from_environ({"ORDER_MAX_AGE_MINUTES": value})


def test_a_missing_resource_says_which_permission_to_declare():
    empty = settings.Settings.from_environ({})
    with pytest.raises(ConfigurationError, match=r"queue: \{orders: send\}"):
        empty.require_orders_queue()
    with pytest.raises(ConfigurationError, match="BUCKET_IMPORTS_NAME"):
        empty.require_imports_bucket()
    # The least that sets the variable first: a function that only reads needs `read`.
    with pytest.raises(
        ConfigurationError,
        match=r"`permissions: table: \{main: read\}` \(read_write if it writes\)",
    ):
        empty.require_table()


def test_an_unknown_log_level_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="LOG_LEVEL"):
        settings.Settings.from_environ({"LOG_LEVEL": "LOUD"})


def test_an_unknown_payment_provider_lists_the_known_ones():
    with pytest.raises(ConfigurationError, match="simulated"):
        payments.provider("stripe-ish")


def test_log_lines_are_json_with_the_correlation_id_and_extra_fields(capsys, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "woocom-test-orders_api")
    settings.reset()
    log = logs.get_logger("tests")
    with logs.correlated("corr-1"):
        log.info("hello %s", "there", extra={"order_id": "o-1"})
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed")
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["message"] == "hello there"
    assert (first["correlation_id"], first["order_id"]) == ("corr-1", "o-1")
    assert first["function"] == "woocom-test-orders_api"
    assert first["level"] == "INFO"
    assert "ValueError: boom" in second["exception"]
    assert logs.correlation_id() is None


def router_that_raises(error):
    router = Router()

    @router.route("GET", "/boom", summary="Fails", replies={200: Reply("never")})
    def boom(_request):
        raise error

    return router


def test_an_unexpected_error_is_a_generic_500_with_the_correlation_id(capsys):
    answer = router_that_raises(KeyError("secret detail"))(api_event("GET", "/boom"), context())
    body = json.loads(answer["body"])
    assert answer["statusCode"] == 500
    assert body["error"]["code"] == "internal_error"
    assert "secret detail" not in body["error"]["message"]
    assert answer["headers"]["X-Correlation-Id"] in body["error"]["message"]
    assert "secret detail" in capsys.readouterr().out  # the log has it


@pytest.mark.parametrize(
    ("code", "status"), [("ProvisionedThroughputExceededException", 503), ("AccessDenied", 500)]
)
def test_aws_errors_are_503_when_busy_and_500_otherwise(code, status):
    error = ClientError({"Error": {"Code": code, "Message": "m"}}, "Query")
    answer = router_that_raises(error)(api_event("GET", "/boom"), context())
    assert answer["statusCode"] == status
    if status == 503:
        assert answer["headers"]["Retry-After"] == "1"


def test_every_domain_error_has_an_http_status():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    unmapped = [cls.__name__ for cls in subclasses(errors.DomainError) if cls not in STATUS]
    assert unmapped == []


def test_a_response_can_carry_a_plain_mapping():
    proxy = Response(200, {"ok": True}).to_proxy("c")
    assert json.loads(proxy["body"]) == {"ok": True}


def test_clients_are_created_once_until_reset(resources):
    assert aws.dynamodb() is aws.dynamodb()
    first = aws.s3()
    aws.reset()
    assert aws.s3() is not first
    assert aws.sqs() is aws.sqs()


def test_each_api_function_routes_exactly_its_stack_yaml_routes(stack):
    for name, fn in stack.functions.items():
        if not fn.triggers.api:
            continue
        router = importlib.import_module(f"{name}.handler").router
        declared = {(t.method, t.path, t.auth == "admin") for t in fn.triggers.api}
        served = {(r.method, r.resource, r.admin) for r in router.routes.values()}
        assert served == declared, name
