"""stack.yaml model: the real file loads; every kind of mistake is named precisely."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from woocom.config import (
    LONGEST_WORKSPACE,
    STACK_FILE,
    Stack,
    StackError,
    check_references,
    check_schedule_expression,
    load_stack,
    resource_environment,
)

REAL = yaml.safe_load(STACK_FILE.read_text())


HANDLER = "def handle(event, context):\n    return None\n"


def write_stack(
    tmp_path: Path, data: dict[str, Any], functions: dict[str, str] | None = None
) -> Path:
    """A stack.yaml plus a functions/ folder (default: a valid handler per function)."""
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    if functions is None:
        functions = dict.fromkeys(data["functions"], HANDLER)
    for name, code in functions.items():
        folder = tmp_path / "functions" / name
        folder.mkdir(parents=True)
        (folder / "handler.py").write_text(code)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StackError) as caught:
        load_stack(path)
    return caught.value.problems


def minimal(**functions: dict[str, object]) -> dict[str, object]:
    return {
        "name": "shop",
        "tables": {"main": {"hash_key": "pk", "range_key": "sk"}},
        "buckets": {"imports": {}},
        "queues": {"orders": {"dlq": {"max_receive_count": 3}}},
        "functions": functions or {"api": {"handler": "handler.handle"}},
    }


def test_repository_stack_loads_with_every_function() -> None:
    stack = load_stack()
    assert set(stack.functions) == set(REAL["functions"])
    assert stack.lambda_handler("catalog_api") == "catalog_api.handler.handle"
    assert stack.architecture("catalog_api") == "arm64"
    assert stack.memory("catalog_import") == 512
    assert stack.timeout("catalog_api") == stack.defaults.timeout


def test_routes_are_listed_with_their_function() -> None:
    routes = {api.route: (fn, api.auth.value) for fn, api in load_stack().routes()}
    assert routes["PUT /products/{sku}"] == ("catalog_api", "admin")
    assert routes["POST /orders"] == ("orders_api", "public")
    assert routes["GET /openapi.json"][0] == "catalog_api"


def test_unknown_key_is_named_with_its_line_and_a_suggestion(tmp_path: Path) -> None:
    data = minimal(api={"handler": "handler.handle", "memroy": 512})
    problems = problems_of(write_stack(tmp_path, data))
    assert len(problems) == 1
    assert problems[0].startswith("functions.api.memroy (line ")
    assert "unknown key (did you mean 'memory'?)" in problems[0]


def test_a_mistyped_access_level_gets_the_one_meant(tmp_path: Path) -> None:
    data = minimal(api={"handler": "handler.handle", "permissions": {"table": {"main": "raed"}}})
    problems = problems_of(write_stack(tmp_path, data))
    assert len(problems) == 1
    assert problems[0].startswith("functions.api.permissions.table.main (line ")
    assert "table access 'raed' must be one of read, write, read_write" in problems[0]
    assert "(did you mean 'read'?)" in problems[0]


def test_a_function_may_not_take_the_canary_s_role_name(tmp_path: Path) -> None:
    """Its role would be <stack>-<workspace>-canary: the canary's role, and its grants."""
    data = minimal(canary={"handler": "handler.handle"})
    problems = problems_of(write_stack(tmp_path, data))
    assert len(problems) == 1
    assert problems[0].startswith("functions.canary (line ")
    assert "'shop-<workspace>-canary' is the render-check canary's role" in problems[0]


def test_missing_required_key(tmp_path: Path) -> None:
    data = minimal()
    del data["tables"]
    assert problems_of(write_stack(tmp_path, data)) == ["tables: required key is missing"]


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (
            {"handler": "handler.handle", "permissions": {"queue": {"order": "send"}}},
            "functions.api.permissions.queue.order (line 17): queue 'order' is not declared",
        ),
        (
            {"handler": "handler.handle", "permissions": {"bucket": {"site": "read"}}},
            "bucket 'site' is not declared under buckets:",
        ),
        (
            {"handler": "handler.handle", "triggers": {"s3": [{"bucket": "uploads"}]}},
            "functions.api.triggers.s3.0.bucket",
        ),
        (
            {"handler": "handler.handle", "triggers": {"sqs": [{"queue": "jobs"}]}},
            "queue 'jobs' is not declared under queues:",
        ),
        (
            {
                "handler": "handler.handle",
                "triggers": {"sqs": [{"queue": "orders", "batch_size": 50}]},
            },
            "a batch_size above 10 needs a batching_window",
        ),
    ],
)
def test_references_to_undeclared_resources(
    tmp_path: Path, function: dict[str, object], expected: str
) -> None:
    problems = problems_of(write_stack(tmp_path, minimal(api=function)))
    assert len(problems) == 1
    assert expected in problems[0]


def test_two_functions_on_the_same_route(tmp_path: Path) -> None:
    data = minimal(
        one={"handler": "handler.handle", "triggers": {"api": [{"route": "GET /items/{id}"}]}},
        two={"handler": "handler.handle", "triggers": {"api": [{"route": "GET /items/{sku}"}]}},
    )
    path = write_stack(tmp_path, data)
    line = path.read_text().splitlines().index("      - route: GET /items/{sku}") + 1
    assert problems_of(path) == [
        f"functions.two.triggers.api.0.route (line {line}): route 'GET /items/{{sku}}' is already "
        "served by function 'one' as 'GET /items/{id}' (a parameter's name does not make a route "
        "distinct): choose another path or method, or serve it from 'one'"
    ]


def test_the_same_route_twice(tmp_path: Path) -> None:
    routes = [{"route": "GET /items"}, {"route": "GET /items"}]
    data = minimal(one={"handler": "handler.handle", "triggers": {"api": routes}})
    assert problems_of(write_stack(tmp_path, data))[0].endswith(
        "route 'GET /items' is already served by function 'one': choose another path or method, "
        "or serve it from 'one'"
    )


@pytest.mark.parametrize(
    ("first", "second", "ours", "theirs"),
    [
        ("GET /items/{id}", "GET /items/{sku}/reviews", "{sku}", "{id}"),  # two functions
        ("GET /items/{id}", "DELETE /items/{sku}", "{sku}", "{id}"),  # one resource, any method
        ("GET /items/{id}/reviews/{rid}", "PUT /items/{id}/reviews/{n}", "{n}", "{rid}"),
    ],
)
def test_one_parameter_name_per_path_position(
    tmp_path: Path, first: str, second: str, ours: str, theirs: str
) -> None:
    """API Gateway (REST) refuses `{sku}` beside `{id}` under one parent, at apply time."""
    data = minimal(
        one={"handler": "handler.handle", "triggers": {"api": [{"route": first}]}},
        two={"handler": "handler.handle", "triggers": {"api": [{"route": second}]}},
    )
    path = write_stack(tmp_path, data)
    line = path.read_text().splitlines().index(f"      - route: {second}") + 1
    assert problems_of(path) == [
        f"functions.two.triggers.api.0.route (line {line}): route '{second}' names its path "
        f"parameter {ours} where route '{first}' of function 'one' has {theirs}; API Gateway "
        f"allows one parameter name per path position: rename it {theirs}"
    ]


def test_one_parameter_name_per_path_position_across_routes_of_one_function(
    tmp_path: Path,
) -> None:
    routes = [{"route": "GET /items/{id}"}, {"route": "GET /items/{id}/parts"}]
    data = minimal(one={"handler": "handler.handle", "triggers": {"api": routes}})
    assert load_stack(write_stack(tmp_path, data)).function("one").triggers.api[1].path == (
        "/items/{id}/parts"
    )


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("GET products", "must look like"),
        ("FETCH /products", "method 'FETCH' must be one of"),
        ("GET /products/{sku", "must be a whole {parameter}"),
    ],
)
def test_malformed_routes(tmp_path: Path, route: str, message: str) -> None:
    data = minimal(api={"handler": "handler.handle", "triggers": {"api": [{"route": route}]}})
    problems = problems_of(write_stack(tmp_path, data))
    assert problems[0].startswith("functions.api.triggers.api.0.route")
    assert message in problems[0]


def test_missing_function_folder(tmp_path: Path) -> None:
    problems = problems_of(write_stack(tmp_path, minimal(), functions={}))
    assert len(problems) == 1
    assert "functions.api (line " in problems[0]
    assert "functions/api does not exist" in problems[0]


def test_missing_handler_module_and_function(tmp_path: Path) -> None:
    data = minimal(
        a={"handler": "app.handle"},
        b={"handler": "handler.handle"},
        c={"handler": "handler.handle"},
    )
    path = write_stack(
        tmp_path,
        data,
        functions={"a": "", "b": "def other(event, context):\n    pass\n", "c": "def handle(:\n"},
    )
    problems = problems_of(path)
    assert any("functions.a.handler" in p and "a/app.py does not exist" in p for p in problems)
    assert any("functions.b.handler" in p and "defines no 'handle'" in p for p in problems)
    assert any("functions.c.handler" in p and "syntax error" in p for p in problems)


@pytest.mark.parametrize(
    ("handler", "said"),
    [
        ("handlr.handle", "functions/api/handlr.py does not exist"),
        # the Lambda handler string `nox -s config` prints, where the folder-relative one goes
        ("api.handler.handle", "functions/api/api/handler.py does not exist"),
        ("handler.handel", "functions/api/handler.py defines no 'handel'"),
    ],
)
def test_a_mistyped_handler_gets_the_one_that_exists(
    tmp_path: Path, handler: str, said: str
) -> None:
    path = write_stack(tmp_path, minimal(api={"handler": handler}))
    (problem,) = problems_of(path)
    assert problem.startswith("functions.api.handler (line ")
    assert problem.endswith(
        f"{said} (did you mean 'handler.handle'? the handler is module.function inside "
        f"{tmp_path / 'functions' / 'api'}/)"
    )


def test_handler_may_be_an_assigned_callable(tmp_path: Path) -> None:
    path = write_stack(tmp_path, minimal(), functions={"api": "handle = object()\n"})
    assert load_stack(path).functions["api"].handler == "handler.handle"


@pytest.mark.parametrize(
    "text",
    ["", "[1, 2]", "name: [unclosed"],
)
def test_not_a_mapping_or_not_yaml(tmp_path: Path, text: str) -> None:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    problems = problems_of(path)
    assert len(problems) == 1
    assert "mapping" in problems[0] or "not valid YAML" in problems[0]


def test_missing_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope.yaml") == ["file not found"]


def test_error_message_names_the_file(tmp_path: Path) -> None:
    path = write_stack(tmp_path, minimal(api={"handler": "handler.handle", "timeout": 0}))
    with pytest.raises(StackError) as caught:
        load_stack(path)
    assert str(caught.value).startswith(f"{path}: 1 problem(s):")
    assert "functions.api.timeout" in str(caught.value)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(2 hours)",
        "rate(1 day)",
        "cron(0 12 * * ? *)",
        "cron(0/15 8-17 ? * MON-FRI *)",
        "cron(0 3 L * ? 2030)",
    ],
)
def test_valid_schedule_expressions(expression: str) -> None:
    check_schedule_expression(expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(5 minute)", "singular unit for 1 and plural otherwise (did you mean `minutes`?)"),
        ("rate(1 minutes)", "(did you mean `minute`?)"),
        ("rate(2 hour)", "(did you mean `hours`?)"),
        ("rate(10 mins)", "(did you mean `minutes`?)"),
        ("rate(0 minutes)", "must look like 'rate(5 minutes)'"),
        ("rate(5 weeks)", "the unit must be minute(s), hour(s) or day(s)"),
        ("rate(five minutes)", "must look like"),
        ("every 5 minutes", "must be 'rate(...)' or 'cron(...)'"),
        ("cron(0 12 * * *)", "needs 6 fields"),
        ("cron(0 24 * * ? *)", "hours value 24 is outside 0-23"),
        ("cron(0 12 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 $ * ? *)", "invalid day-of-month field"),
    ],
)
def test_invalid_schedule_expressions(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=None) as caught:
        check_schedule_expression(expression)
    assert message in str(caught.value)


def test_resource_environment_names() -> None:
    stack = load_stack()
    env = resource_environment(
        stack.functions["orders_api"].permissions,
        table_names={"main": "t"},
        bucket_names={},
        queue_urls={"orders": "http://q"},
    )
    assert env == {"TABLE_MAIN_NAME": "t", "QUEUE_ORDERS_URL": "http://q"}


def test_yaml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "stack.yaml"
    path.write_text("name: shop\ntables:\n  main: {hash_key: pk\nfunctions: {}\n")
    with pytest.raises(StackError) as caught:
        load_stack(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: 1 problem(s):")
    assert "<unicode string>" not in message
    assert re.search(r"line 4, column \d+: not valid YAML: ", message), message


def test_references_are_checked_by_a_plain_function() -> None:
    """No exception smuggled through pydantic: the model validates, check_references reports."""
    data = minimal(api={"handler": "handler.handle", "permissions": {"table": {"orders": "read"}}})
    stack = Stack.model_validate(data)
    assert list(check_references(stack)) == [
        (
            ("functions", "api", "permissions", "table", "orders"),
            "table 'orders' is not declared under tables: (declared: main)",
        )
    ]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            {"queues": {"orders": {"visibility_timeout": 30}}, "timeout": 60, "sqs": "orders"},
            "functions.api.triggers.sqs.0.queue",
            "visibility_timeout 30 s, less than the function's timeout 60 s",
        ),
        (
            {"table": {"billing_mode": "PROVISIONED"}},
            "tables.main",
            "billing_mode PROVISIONED needs read_capacity and write_capacity",
        ),
        (
            {"table": {"read_capacity": 5, "write_capacity": 5}},
            "tables.main",
            "only apply to billing_mode PROVISIONED",
        ),
        (
            {"environment": {"AWS_REGION": "eu-west-1"}},
            "functions.api.environment",
            "AWS_REGION: reserved by Lambda",
        ),
        (
            {"environment": {"TABLE_MAIN_NAME": "x"}},
            "functions.api.environment",
            "TABLE_MAIN_NAME: set by the platform",
        ),
        (
            {
                "s3": [
                    {"bucket": "imports", "prefix": "in/"},
                    {"bucket": "imports", "prefix": "in/x"},
                ]
            },
            "functions.api.triggers.s3.1",
            "a second s3 trigger on bucket 'imports'",
        ),
        (
            {"name": "f" * 39},
            "functions." + "f" * 39,
            "Lambda and IAM names allow 56 here",
        ),
    ],
)
def test_values_aws_would_refuse(
    tmp_path: Path, change: dict[str, Any], where: str, message: str
) -> None:
    data: dict[str, Any] = minimal()
    fn: dict[str, Any] = {"handler": "handler.handle"}
    if "queues" in change:
        data["queues"]["orders"].update(change["queues"]["orders"])
    if "timeout" in change:
        fn["timeout"] = change["timeout"]
    if "sqs" in change:
        fn["triggers"] = {"sqs": [{"queue": change["sqs"]}]}
    if "table" in change:
        data["tables"]["main"].update(change["table"])
    if "environment" in change:
        fn["environment"] = change["environment"]
    if "s3" in change:
        fn["triggers"] = {"s3": change["s3"]}
    data["functions"] = {change.get("name", "api"): fn}
    problems = problems_of(write_stack(tmp_path, data))
    assert any(p.startswith(where + " (line ") and message in p for p in problems), problems


def test_overlapping_s3_filters_of_two_functions(tmp_path: Path) -> None:
    data = minimal(
        one={
            "handler": "handler.handle",
            "triggers": {"s3": [{"bucket": "imports", "prefix": "in/"}]},
        },
        two={
            "handler": "handler.handle",
            "triggers": {"s3": [{"bucket": "imports", "prefix": "in/csv/", "suffix": ".csv"}]},
        },
    )
    problems = problems_of(write_stack(tmp_path, data))
    assert len(problems) == 1
    assert problems[0].startswith("functions.two.triggers.s3.0 (line ")
    assert "overlaps one's trigger on bucket 'imports'" in problems[0]


def test_provisioned_capacity_reaches_indexes(tmp_path: Path) -> None:
    data = minimal()
    data["tables"] = {
        "main": {
            "hash_key": "pk",
            "billing_mode": "PROVISIONED",
            "read_capacity": 4,
            "write_capacity": 2,
            "indexes": {"a": {"hash_key": "x"}, "b": {"hash_key": "y", "write_capacity": 9}},
        }
    }
    table = load_stack(write_stack(tmp_path, data)).tables["main"]
    assert table.capacity() == (4, 2)
    assert table.capacity("a") == (4, 2)
    assert table.capacity("b") == (4, 9)


def test_the_longest_workspace_is_the_deploy_targets() -> None:
    from woocom.deploy.environments import MAX_DEVELOPER_NAME, MAX_PR_DIGITS

    assert max(len("dev-") + MAX_DEVELOPER_NAME, len("pr-") + MAX_PR_DIGITS) == LONGEST_WORKSPACE
