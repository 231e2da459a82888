"""Publishing against S3 and CloudFront on moto: what a visitor and an operator would see."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from site_helpers import BUCKET, HASHED, VITE_BUILD, Publish, stored, write_build

from frontend_deploy.errors import PublishError
from frontend_deploy.manifest import MANIFEST_KEY
from frontend_deploy.publish import Options, Publisher, Target
from frontend_deploy.rules import Rules, load_rules

IMMUTABLE = "public, max-age=31536000, immutable"


def head(s3: Any, key: str) -> dict[str, Any]:
    response: dict[str, Any] = s3.head_object(Bucket=BUCKET, Key=key)
    return response


def invalidated_paths(distribution_id: str) -> list[list[str]]:
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    summaries = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    return [
        sorted(
            cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])[
                "Invalidation"
            ]["InvalidationBatch"]["Paths"]["Items"]
        )
        for item in summaries.get("Items", [])
    ]


def test_every_file_is_served_with_its_type_and_cache_rule(
    s3: Any, publish: Publish, build: Path
) -> None:
    outcome = publish(build)

    assert stored(s3) == VITE_BUILD
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "about/index.html": ("text/html; charset=utf-8", "no-cache"),
        "assets/index-B3x_k9Qa.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        "assets/index-C0ffee42.css": ("text/css; charset=utf-8", IMMUTABLE),
        "assets/index-B3x_k9Qa.js.map": ("application/json; charset=utf-8", IMMUTABLE),
        "assets/logo-a1B2c3D4.svg": ("image/svg+xml; charset=utf-8", IMMUTABLE),
        "assets/Inter-Bold-Zx81_qPw.woff2": ("font/woff2", IMMUTABLE),
        "favicon.ico": ("image/x-icon", "no-cache"),
        "robots.txt": ("text/plain; charset=utf-8", "no-cache"),
        "manifest.webmanifest": ("application/manifest+json; charset=utf-8", "no-cache"),
    }
    for key, (content_type, cache_control) in expected.items():
        response = head(s3, key)
        assert (response["ContentType"], response["CacheControl"]) == (content_type, cache_control)
    assert len(outcome.plan.uploads) == len(VITE_BUILD)
    assert outcome.plan.release == 1


def test_second_publish_uploads_nothing(s3: Any, publish: Publish, build: Path) -> None:
    publish(build)
    manifest_before = s3.get_object(Bucket=BUCKET, Key=MANIFEST_KEY)["Body"].read()

    outcome = publish(build)

    assert outcome.plan.uploads == []
    assert len(outcome.plan.unchanged) == len(VITE_BUILD)
    assert outcome.plan.release == 1
    # A no-op run writes nothing at all, not even the manifest.
    assert s3.get_object(Bucket=BUCKET, Key=MANIFEST_KEY)["Body"].read() == manifest_before


def test_fresh_checkout_with_new_mtimes_uploads_nothing(
    s3: Any, publish: Publish, build: Path, tmp_path: Path
) -> None:
    publish(build)
    fresh = tmp_path / "fresh-ci-checkout"
    shutil.copytree(build, fresh)  # new files, new modification times, same bytes

    assert publish(fresh).plan.uploads == []


def test_same_size_one_byte_change_is_uploaded_and_invalidated(
    s3: Any, publish: Publish, build: Path, distribution_id: str
) -> None:
    publish(build, distribution=distribution_id)
    robots = build / "robots.txt"
    robots.write_bytes(robots.read_bytes().replace(b"*", b"/"))

    outcome = publish(build, distribution=distribution_id)

    assert [f.key for f in outcome.plan.uploads] == ["robots.txt"]
    assert stored(s3)["robots.txt"] == b"User-agent: /\n"
    assert outcome.plan.release == 2
    assert invalidated_paths(distribution_id)[-1] == ["/robots.txt"]


def test_changed_cache_rule_republishes_with_the_new_header(
    s3: Any, publish: Publish, build: Path, tmp_path: Path
) -> None:
    publish(build)
    config = tmp_path / "frontend.toml"
    config.write_text('[[cache]]\nmatch = "**"\ncache_control = "max-age=60"\n')
    outcome = publish(build, rules=load_rules(config)[0])

    assert len(outcome.plan.uploads) == len(VITE_BUILD)
    assert head(s3, "assets/index-B3x_k9Qa.js")["CacheControl"] == "max-age=60"


def test_index_html_is_uploaded_last_after_every_asset(
    s3: Any, publish: Publish, build: Path, aws_credentials: None
) -> None:
    session = boto3.Session(region_name="us-east-1")
    events: list[tuple[str, str]] = []

    def started(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["key"] = params["Key"]
        events.append(("start", params["Key"]))

    def finished(context: dict[str, Any], **_: Any) -> None:
        events.append(("end", context["key"]))

    session.events.register("provide-client-params.s3.PutObject", started)
    session.events.register("after-call.s3.PutObject", finished)

    publish(build, session=session, workers=4)

    uploads = [key for kind, key in events if kind == "start" and key != MANIFEST_KEY]
    assert sorted(uploads) == sorted(VITE_BUILD)
    assert uploads[-1] == "index.html"
    position = {event: i for i, event in enumerate(events)}
    for key in VITE_BUILD:
        if key != "index.html":
            assert position[("end", key)] < position[("start", "index.html")]
    last_hashed_end = max(position[("end", key)] for key in HASHED)
    first_unhashed_start = min(position[("start", key)] for key in VITE_BUILD if key not in HASHED)
    assert last_hashed_end < first_unhashed_start


def test_failed_asset_upload_leaves_the_previous_index_live(
    s3: Any, publish: Publish, build: Path, aws_credentials: None
) -> None:
    publish(build)
    (build / "index.html").write_bytes(b"<script src='/assets/new-Q1w2E3r4.js'></script>")
    (build / "assets/new-Q1w2E3r4.js").write_bytes(b"new")
    session = boto3.Session(region_name="us-east-1")

    def s3_outage(params: dict[str, Any], **_: Any) -> Any:
        if params["url_path"].endswith("new-Q1w2E3r4.js"):
            error = {"Error": {"Code": "InternalError", "Message": "We encountered an error"}}
            return SimpleNamespace(status_code=500), error
        return None

    session.events.register("before-call.s3.PutObject", s3_outage)

    with pytest.raises(PublishError, match="still serves the previous release"):
        publish(build, session=session)

    assert stored(s3)["index.html"] == VITE_BUILD["index.html"]
    # The next run finishes the job.
    assert {f.key for f in publish(build).plan.uploads} == {"index.html", "assets/new-Q1w2E3r4.js"}


def test_stale_files_survive_one_release_then_go(s3: Any, publish: Publish, build: Path) -> None:
    publish(build)
    (build / "assets/vendor-Dk39aZ01.js").unlink()
    (build / "assets/vendor-Nw99xYz1.js").write_bytes(b"export const react = 19;")

    second = publish(build)
    assert second.plan.kept == ["assets/vendor-Dk39aZ01.js"]
    assert second.plan.deletes == []
    assert "assets/vendor-Dk39aZ01.js" in stored(s3)  # visitors on release 1 still load it

    (build / "robots.txt").write_bytes(b"User-agent: x\n")
    third = publish(build)
    assert third.plan.deletes == ["assets/vendor-Dk39aZ01.js"]
    assert "assets/vendor-Dk39aZ01.js" not in stored(s3)


def test_republishing_the_same_build_does_not_age_stale_files(
    s3: Any, publish: Publish, build: Path
) -> None:
    publish(build)
    (build / "favicon.ico").unlink()
    publish(build)

    again = publish(build)

    assert again.plan.kept == ["favicon.ico"]
    assert "favicon.ico" in stored(s3)


def test_grace_zero_deletes_at_once_and_invalidates_unhashed(
    s3: Any, publish: Publish, build: Path, rules: Rules, distribution_id: str
) -> None:
    publish(build, distribution=distribution_id)
    (build / "robots.txt").unlink()
    (build / "assets/logo-a1B2c3D4.svg").unlink()

    outcome = publish(
        build, distribution=distribution_id, rules=rules.model_copy(update={"grace_releases": 0})
    )

    assert sorted(outcome.plan.deletes) == ["assets/logo-a1B2c3D4.svg", "robots.txt"]
    assert invalidated_paths(distribution_id)[-1] == ["/robots.txt"]


def test_deletion_cap_defers_the_rest_unless_forced(
    s3: Any, publish: Publish, tmp_path: Path, rules: Rules
) -> None:
    many = {f"docs/page-{i}.txt": b"x" for i in range(5)}
    build = write_build(tmp_path / "dist", {**VITE_BUILD, **many})
    capped = rules.model_copy(update={"grace_releases": 0, "max_deletes": 2})
    publish(build, rules=capped)
    shutil.rmtree(build / "docs")

    first = publish(build, rules=capped)
    assert len(first.plan.deletes) == 2
    assert len(first.plan.deferred) == 3
    assert sum(key.startswith("docs/") for key in stored(s3)) == 3

    assert "3 over the deletion cap" in first.summary()[1]

    forced = publish(build, rules=capped, force_delete=True)
    assert len(forced.plan.deletes) == 3
    assert not any(key.startswith("docs/") for key in stored(s3))


def test_dry_run_changes_nothing(s3: Any, publish: Publish, build: Path, tmp_path: Path) -> None:
    s3.put_object(Bucket=BUCKET, Key="old.txt", Body=b"left by hand")

    outcome = publish(build, dry_run=True)

    assert len(outcome.plan.uploads) == len(VITE_BUILD)
    assert outcome.plan.kept == ["old.txt"]
    assert stored(s3) == {"old.txt": b"left by hand"}
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix=".frontend-deploy/")
    assert outcome.summary()[0].startswith("would upload 11 file(s)")


def test_dry_run_prints_every_upload_delete_and_invalidation(
    s3: Any, build: Path, rules: Rules, distribution_id: str
) -> None:
    out = io.StringIO()
    publisher = Publisher(Target("staging", BUCKET, distribution_id), rules, out=out)
    outcome = publisher.publish(build, Options(dry_run=True))

    assert "would invalidate 6 path(s)" in outcome.summary()
    printed = out.getvalue()
    assert "upload 11, skip 0 unchanged" in printed
    assert "  upload      index.html  [text/html; charset=utf-8 | no-cache]" in printed
    assert "  invalidate  /" in printed
    assert printed.rstrip().endswith("  invalidate  /robots.txt")


def test_invalidation_covers_changed_unhashed_paths_only(
    publish: Publish, build: Path, distribution_id: str
) -> None:
    publish(build, distribution=distribution_id)
    (build / "index.html").write_bytes(b"<script src='/assets/app-Zq7Yx5Wv.js'></script>")
    (build / "assets/app-Zq7Yx5Wv.js").write_bytes(b"new")

    outcome = publish(build, distribution=distribution_id, wait=True)

    assert outcome.invalidation_id is not None
    assert invalidated_paths(distribution_id)[-1] == ["/", "/index.html"]
    assert f"invalidated 2 path(s): {outcome.invalidation_id}" in outcome.summary()


def test_failed_invalidation_says_how_to_finish_by_hand(
    s3: Any, publish: Publish, build: Path, aws: None
) -> None:
    with pytest.raises(PublishError) as caught:
        publish(build, distribution="EDOESNOTEXIST")

    assert "the files are published but the CloudFront invalidation failed" in str(caught.value)
    assert str(caught.value).endswith(
        "--distribution-id EDOESNOTEXIST --paths / /about/index.html /favicon.ico /index.html "
        "/manifest.webmanifest /robots.txt"
    )
    assert stored(s3) == VITE_BUILD


def test_failed_invalidation_quotes_wildcards_for_the_shell(
    publish: Publish, tmp_path: Path, aws: None
) -> None:
    docs = {f"docs/guide/page-{i}.html": b"<p>%d</p>" % i for i in range(30)}
    build = write_build(tmp_path / "dist", {**VITE_BUILD, **docs})

    with pytest.raises(PublishError) as caught:
        publish(build, distribution="EDOESNOTEXIST")

    assert " '/docs/guide/*' " in str(caught.value)


def test_many_changed_paths_collapse_to_wildcards(
    publish: Publish, tmp_path: Path, distribution_id: str
) -> None:
    docs = {f"docs/guide/page-{i}.html": b"<p>%d</p>" % i for i in range(30)}
    build = write_build(tmp_path / "dist", {**VITE_BUILD, **docs})

    publish(build, distribution=distribution_id)

    paths = invalidated_paths(distribution_id)[-1]
    assert len(paths) <= 10
    assert "/docs/guide/*" in paths
    assert "/index.html" in paths


def test_no_distribution_means_no_invalidation(publish: Publish, build: Path) -> None:
    outcome = publish(build)

    assert outcome.invalidation_id is None
    assert outcome.invalidation_skipped == "'staging' has no CloudFront distribution"


def test_objects_uploaded_by_another_tool_are_checked_by_content(
    s3: Any, publish: Publish, build: Path
) -> None:
    # Same bytes but no content hash nor headers (say, `aws s3 sync`): rewritten once
    # with the right headers; an object we wrote whose manifest was lost: kept.
    s3.put_object(Bucket=BUCKET, Key="robots.txt", Body=VITE_BUILD["robots.txt"])
    publish(build)
    s3.delete_object(Bucket=BUCKET, Key=MANIFEST_KEY)
    s3.put_object(Bucket=BUCKET, Key="favicon.ico", Body=b"stale icon")

    outcome = publish(build)

    assert [f.key for f in outcome.plan.uploads] == ["favicon.ico"]
    assert head(s3, "robots.txt")["CacheControl"] == "no-cache"


def test_missing_build_dir_is_a_clear_error(s3: Any, publish: Publish, tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="does not exist: build the frontend first"):
        publish(tmp_path / "nowhere")


def test_build_without_index_html_publishes_nothing(s3: Any, publish: Publish, build: Path) -> None:
    (build / "index.html").unlink()

    with pytest.raises(PublishError, match=r"has no index\.html"):
        publish(build)
    assert stored(s3) == {}


def test_missing_bucket_is_a_clear_error(aws: None, build: Path, rules: Rules) -> None:
    publisher = Publisher(Target("staging", "no-such-bucket"), rules)

    with pytest.raises(PublishError, match="'no-such-bucket' of 'staging' does not exist"):
        publisher.publish(build)


def test_missing_credentials_is_a_clear_error(
    aws: None, build: Path, rules: Rules, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    with pytest.raises(PublishError, match="no AWS credentials for 'staging'"):
        Publisher(Target("staging", BUCKET), rules).publish(build)


def test_corrupt_release_manifest_stops_before_any_write(
    s3: Any, publish: Publish, build: Path
) -> None:
    s3.put_object(Bucket=BUCKET, Key=MANIFEST_KEY, Body=json.dumps({"format": 99}).encode())

    with pytest.raises(PublishError, match="Delete it to start a fresh history"):
        publish(build)
    assert stored(s3) == {}


def test_build_using_the_reserved_folder_is_refused(s3: Any, publish: Publish, build: Path) -> None:
    write_build(build, {".frontend-deploy/x.txt": b"x"})

    with pytest.raises(PublishError, match="reserved for the publisher"):
        publish(build)
    assert stored(s3) == {}


def in_progress_for(session: boto3.Session, polls: int) -> None:
    """CloudFront takes minutes; moto completes at once. Report InProgress `polls` times."""
    remaining = [polls]

    def still_running(parsed: dict[str, Any], **_: Any) -> None:
        if remaining[0] > 0:
            remaining[0] -= 1
            parsed["Invalidation"]["Status"] = "InProgress"

    session.events.register("after-call.cloudfront.GetInvalidation", still_running)


def test_wait_polls_until_the_invalidation_completes(
    s3: Any, build: Path, rules: Rules, distribution_id: str
) -> None:
    session = boto3.Session(region_name="us-east-1")
    in_progress_for(session, polls=2)
    out = io.StringIO()
    publisher = Publisher(Target("staging", BUCKET, distribution_id), rules, session, out=out)

    outcome = publisher.publish(build, Options(wait=True, poll_seconds=0))

    printed = out.getvalue()
    assert printed.count(f"waiting for invalidation {outcome.invalidation_id} (InProgress") == 2
    assert f"invalidation {outcome.invalidation_id} completed" in printed


def test_wait_gives_up_after_its_timeout_with_the_site_published(
    s3: Any, build: Path, rules: Rules, distribution_id: str
) -> None:
    session = boto3.Session(region_name="us-east-1")
    in_progress_for(session, polls=1000)
    publisher = Publisher(
        Target("staging", BUCKET, distribution_id), rules, session, out=io.StringIO()
    )

    with pytest.raises(PublishError, match="still InProgress after 0 s; it continues on its own"):
        publisher.publish(build, Options(wait=True, wait_timeout=0, poll_seconds=0))
    assert stored(s3) == VITE_BUILD
