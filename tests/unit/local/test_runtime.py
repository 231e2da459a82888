"""The local runtime on the mini project: resources, routing, auth, site, event delivery."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from woocom.local.client import HttpClient, wait_for
from woocom.local.emulator import emulator_client
from woocom.local.runtime import LocalRuntime

pytestmark = pytest.mark.slow  # one whole local stack for the module (emulator, resources, threads)


@pytest.fixture(scope="module")
def runtime(mini_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    seed = tmp_path_factory.mktemp("seed") / "seed.json"
    seed.write_text('{"requests": [{"method": "PUT", "path": "/things/seeded", "body": {}}]}')
    with LocalRuntime(
        port=0,
        stack_file=mini_project,
        seed_file=seed,
        overrides={"GREETING": "overridden"},
        schedules={"tick": "rate(1 second)"},
        outputs_path=tmp_path_factory.mktemp("outputs") / "local.json",
    ) as started:
        yield started


@pytest.fixture(scope="module")
def out(runtime: LocalRuntime) -> dict[str, Any]:
    return runtime.outputs


@pytest.fixture(scope="module")
def api(out: dict[str, Any]) -> HttpClient:
    return HttpClient(out["api_url"])


def aws(out: dict[str, Any], service: str) -> Any:
    return emulator_client(service, out["aws_endpoint_url"])


def item(out: dict[str, Any], pk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (
        aws(out, "dynamodb")
        .get_item(TableName=out["table_name"], Key={"pk": {"S": pk}})
        .get("Item")
    )
    return found


# --- provisioning ------------------------------------------------------------------------


def test_table_has_its_index_and_ttl(out: dict[str, Any]) -> None:
    dynamodb = aws(out, "dynamodb")
    table = dynamodb.describe_table(TableName="mini-local-main")["Table"]
    assert out["table_name"] == "mini-local-main"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by_kind"]
    ttl = dynamodb.describe_time_to_live(TableName="mini-local-main")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_queue_redrives_to_its_dlq(out: dict[str, Any]) -> None:
    sqs = aws(out, "sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=out["jobs_queue_url"], AttributeNames=["All"])
    policy = json.loads(attributes["Attributes"]["RedrivePolicy"])
    assert policy["maxReceiveCount"] == 2
    assert policy["deadLetterTargetArn"].endswith(":mini-local-jobs-dlq")
    assert out["jobs_dlq_url"].endswith("/mini-local-jobs-dlq")


def test_bucket_notifies_the_trigger_queue(out: dict[str, Any]) -> None:
    config = aws(out, "s3").get_bucket_notification_configuration(Bucket=out["drops_bucket"])
    [queue] = config["QueueConfigurations"]
    assert queue["QueueArn"].endswith(":mini-local-s3-ingest-0")
    rules = {r["Name"].lower(): r["Value"] for r in queue["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "in/", "suffix": ".csv"}


def test_user_pool_has_an_admin_and_a_shopper(out: dict[str, Any]) -> None:
    cognito = aws(out, "cognito-idp")
    admins = cognito.list_users_in_group(UserPoolId=out["user_pool_id"], GroupName="admin")
    assert [u["Username"] for u in admins["Users"]] == ["local-admin"]
    users = cognito.list_users(UserPoolId=out["user_pool_id"])["Users"]
    assert {u["Username"] for u in users} == {"local-admin", "local-shopper"}


def test_outputs_file_holds_what_the_suite_needs(runtime: LocalRuntime) -> None:
    written = json.loads(runtime.outputs_path.read_text())
    assert written["target"] == "local"
    for key in (
        "api_url",
        "aws_endpoint_url",
        "table_name",
        "drops_bucket",
        "site_bucket",
        "jobs_queue_url",
        "jobs_dlq_url",
        "user_pool_id",
        "user_pool_client_id",
        "admin_token",
        "user_token",
        "region",
    ):
        assert written[key], key
    assert runtime.outputs_path.stat().st_mode & 0o777 == 0o600


def test_seed_requests_went_through_the_admin_route(out: dict[str, Any]) -> None:
    assert item(out, "seeded") == {"pk": {"S": "seeded"}, "kind": {"S": "thing"}}


# --- routing -----------------------------------------------------------------------------


def test_request_becomes_a_proxy_event(api: HttpClient) -> None:
    response = api.get("/things/a%20b%2Fc?tag=x&tag=y", headers={"User-Agent": "probe/1"})
    assert response.status == 200
    assert response.headers["x-seen"] == "a, b"
    seen = response.json()
    assert seen["resource"] == "/things/{thing_id}"
    assert seen["path"] == "/things/a b/c"
    # As a REST API passes them: still encoded (the handler decodes).
    assert seen["params"] == {"thing_id": "a%20b%2Fc"}
    assert seen["query"] == {"tag": ["x", "y"]}
    assert seen["claims"] is None
    assert seen["user_agent"] == "probe/1"
    assert seen["function"] == "mini-local-web"


def test_function_gets_its_environment_with_overrides(api: HttpClient) -> None:
    seen = api.get("/things/1").json()
    assert seen["greeting"] == "overridden"
    assert seen["env"] == "local"


def test_literal_route_wins_over_parameter(api: HttpClient) -> None:
    assert api.get("/things/special").json()["resource"] == "/things/special"


def test_routes_also_answer_under_api_prefix(api: HttpClient) -> None:
    seen = api.get("/api/things/7").json()
    assert seen["path"] == "/things/7"


def test_unknown_route_is_a_json_404(api: HttpClient) -> None:
    response = api.post("/nothing", {"a": 1})
    assert response.status == 404
    assert response.json()["error"]["code"] == "route_not_found"
    assert api.get("/api/nothing").status == 404


def test_wrong_method_is_a_405_naming_the_allowed_ones(api: HttpClient) -> None:
    response = api.delete("/things/1")
    assert response.status == 405
    assert "GET, PUT" in response.json()["error"]["message"]


def test_handler_exception_is_a_502_with_the_traceback_logged(
    api: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = api.get("/boom")
    assert response.status == 502
    assert response.json()["error"]["code"] == "internal_error"
    assert "RuntimeError: boom" in caplog.text


def test_malformed_proxy_response_is_a_502(api: HttpClient) -> None:
    assert api.get("/malformed").status == 502


def test_head_on_a_get_route_is_a_405_without_body_as_in_api_gateway(api: HttpClient) -> None:
    response = api.request("HEAD", "/things/1")
    assert response.status == 405
    assert response.body == b""
    assert int(response.headers["content-length"]) > 0


# --- auth --------------------------------------------------------------------------------


def test_admin_route_without_token_is_401(api: HttpClient) -> None:
    response = api.put("/things/x", {})
    assert response.status == 401
    assert "Authorization" in response.json()["error"]["message"]


def test_admin_route_with_a_token_signed_by_another_key_is_401(
    api: HttpClient, out: dict[str, Any]
) -> None:
    claims = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{out['user_pool_id']}",
        "aud": out["user_pool_client_id"],
        "token_use": "id",
        "exp": int(time.time()) + 600,
        "cognito:groups": ["admin"],
    }
    forged = jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, RSAKey.generate_key(2048))
    response = api.with_token(forged).put("/things/x", {})
    assert response.status == 401
    assert "not a valid JWT" in response.json()["error"]["message"]


def test_admin_route_with_garbage_is_401(api: HttpClient) -> None:
    assert api.with_token("not-a-jwt").put("/things/x", {}).status == 401


def test_verified_claims_reach_the_handler_as_strings(api: HttpClient, out: dict[str, Any]) -> None:
    response = api.with_token(out["admin_token"]).put("/things/by-admin", {"a": 1})
    assert response.status == 200, response
    seen = response.json()
    assert seen["claims"]["cognito:groups"] == "admin"
    assert seen["claims"]["cognito:username"] == "local-admin"
    assert isinstance(seen["claims"]["exp"], str)
    assert json.loads(seen["body"]) == {"a": 1}


def test_user_token_passes_the_authorizer_without_the_group(
    api: HttpClient, out: dict[str, Any]
) -> None:
    # Groups are the handler's business (403), not API Gateway's.
    seen = api.with_token(out["user_token"]).put("/things/by-user", {}).json()
    assert seen["claims"]["cognito:username"] == "local-shopper"
    assert "cognito:groups" not in seen["claims"]


# --- site --------------------------------------------------------------------------------


def test_site_serves_the_bucket_with_spa_fallback(api: HttpClient, out: dict[str, Any]) -> None:
    html = {"Accept": "text/html"}
    landing = api.get("/", headers=html)
    assert landing.status == 200
    assert b"No frontend is published" in landing.body
    s3 = aws(out, "s3")
    s3.put_object(
        Bucket=out["site_bucket"], Key="index.html", Body=b"<p>app</p>", ContentType="text/html"
    )
    s3.put_object(Bucket=out["site_bucket"], Key="assets/app.js", Body=b"run()")
    assert api.get("/", headers=html).body == b"<p>app</p>"
    deep_link = api.get("/things/123", headers=html)
    assert deep_link.body == b"<p>app</p>"
    asset = api.get("/assets/app.js")
    assert asset.body == b"run()"
    assert asset.headers["content-type"] in ("text/javascript", "application/javascript")
    assert api.get("/missing.png", headers=html).body == b"<p>app</p>"
    missing = api.get("/missing.png")
    assert (missing.status, missing.json()["error"]["code"]) == (404, "route_not_found")


# --- event delivery ----------------------------------------------------------------------


def test_sqs_batch_deletes_only_successes_and_redrives_failures(out: dict[str, Any]) -> None:
    sqs = aws(out, "sqs")
    for body in ("alpha", "fail-beta", "gamma"):
        sqs.send_message(QueueUrl=out["jobs_queue_url"], MessageBody=body)
    wait_for(lambda: item(out, "job:alpha") and item(out, "job:gamma"), what="jobs stored")

    def in_dlq() -> list[str]:
        messages = sqs.receive_message(
            QueueUrl=out["jobs_dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", [])
        return [m["Body"] for m in messages]

    assert wait_for(in_dlq, what="the failed message in the DLQ") == ["fail-beta"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=out["jobs_queue_url"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert attributes == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }


def test_a_raising_handler_fails_the_whole_batch(
    out: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    sqs = aws(out, "sqs")
    sqs.send_message(QueueUrl=out["jobs_queue_url"], MessageBody="raise")

    def parked() -> bool:
        messages = sqs.receive_message(
            QueueUrl=out["jobs_dlq_url"], MaxNumberOfMessages=10, VisibilityTimeout=0
        )
        return "raise" in [m["Body"] for m in messages.get("Messages", [])]

    wait_for(parked, what="the raising message in the DLQ")
    assert "worker raised on a batch of 1; every message will be retried" in caplog.text
    assert "RuntimeError: the whole batch fails" in caplog.text


def test_overrunning_the_declared_timeout_is_logged(
    out: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    aws(out, "s3").put_object(Bucket=out["drops_bucket"], Key="in/slow.csv", Body=b"")
    wait_for(lambda: item(out, "drop:in/slow.csv"), what="the slow drop processed")
    assert "on Lambda it would have been stopped at its 1 s timeout" in caplog.text


def test_s3_drop_reaches_the_function_through_the_notification(out: dict[str, Any]) -> None:
    s3 = aws(out, "s3")
    s3.put_object(Bucket=out["drops_bucket"], Key="in/first file.csv", Body=b"a,b\n")
    s3.put_object(Bucket=out["drops_bucket"], Key="elsewhere/skip.csv", Body=b"a,b\n")
    s3.put_object(Bucket=out["drops_bucket"], Key="in/skip.txt", Body=b"a,b\n")
    wait_for(lambda: item(out, "drop:in/first file.csv"), what="the drop processed")
    time.sleep(1)
    assert item(out, "drop:elsewhere/skip.csv") is None
    assert item(out, "drop:in/skip.txt") is None


def test_failed_s3_event_is_retried_then_parked(
    out: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    aws(out, "s3").put_object(Bucket=out["drops_bucket"], Key="in/bad.csv", Body=b"")
    sqs = aws(out, "sqs")
    dlq = sqs.get_queue_url(QueueName="mini-local-s3-ingest-0-dlq")["QueueUrl"]

    def parked() -> list[Any]:
        found: list[Any] = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0).get(
            "Messages", []
        )
        return found

    [message] = wait_for(parked, timeout=20, what="the failed S3 event in the trigger's DLQ")
    parked_key = json.loads(message["Body"])["Records"][0]["s3"]["object"]["key"]
    assert unquote_plus(parked_key) == "in/bad.csv"
    assert "attempt 1 of 3" in caplog.text
    assert "ValueError: cannot read in/bad.csv" in caplog.text


def test_schedule_fires_with_a_scheduled_event(out: dict[str, Any]) -> None:
    def ticks() -> int:
        found = item(out, "tick")
        return int(found["ticks"]["N"]) if found and int(found["ticks"]["N"]) >= 2 else 0

    assert wait_for(ticks, what="two ticks") >= 2
    assert item(out, "tick")["last_event"] == {"S": "aws.events"}  # type: ignore[index]


def test_direct_invoke_uses_a_lambda_context(runtime: LocalRuntime) -> None:
    result = runtime.invoke("worker", {"Records": [{"body": "direct", "messageId": "m-1"}]})
    assert result == {"batchItemFailures": []}


def test_oversized_body_is_refused_before_the_function(
    api: HttpClient, out: dict[str, Any]
) -> None:
    response = api.with_token(out["admin_token"]).request(
        "PUT", "/things/big", body=b"x" * (10 * 1024 * 1024 + 1)
    )
    assert response.status == 413


def test_seed_reports_a_refused_request(
    runtime: LocalRuntime, tmp_path: Path, caplog: pytest.LogCaptureFixture, out: dict[str, Any]
) -> None:
    from woocom.local.runtime import seed

    seed_file = tmp_path / "seed.json"
    seed_file.write_text('{"requests": [{"method": "PUT", "path": "/nowhere"}]}')
    assert runtime.app is not None
    assert seed(runtime.app, seed_file, out["admin_token"]) == 1
    assert "seed PUT /nowhere answered 404" in caplog.text


def test_changed_code_is_served_without_a_restart(api: HttpClient, mini_project: Path) -> None:
    handler = mini_project.parent / "functions" / "web" / "handler.py"
    original = handler.read_text()
    handler.write_text(original.replace('"version": 1', '"version": 2'))
    try:
        wait_for(lambda: api.get("/things/1").json()["version"] == 2, what="the new code")
    finally:
        handler.write_text(original)
    wait_for(lambda: api.get("/things/1").json()["version"] == 1, what="the old code again")
