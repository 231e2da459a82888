"""A Vite-shaped build, a site bucket and a CloudFront distribution on moto (in process)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from site_helpers import BUCKET, VITE_BUILD, Publish, write_build

from frontend_deploy.publish import Options, Outcome, Publisher, Target
from frontend_deploy.rules import DEFAULT_CONFIG, Rules, load_rules
from woocom.emulated import REGION, dummy_credentials_environment


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in dummy_credentials_environment().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def aws(aws_credentials: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def distribution_id(aws: None) -> str:
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    response = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": "site",
            "Comment": "site",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [{"Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com"}],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "https-only",
            },
        }
    )
    distribution: str = response["Distribution"]["Id"]
    return distribution


@pytest.fixture
def build(tmp_path: Path) -> Path:
    return write_build(tmp_path / "dist", VITE_BUILD)


@pytest.fixture
def rules() -> Rules:
    """The shipped defaults, whatever a repository-level frontend.toml says."""
    return load_rules(DEFAULT_CONFIG)[0]


@pytest.fixture
def publish(s3: Any, rules: Rules) -> Publish:
    """Publish a build to the staging-like target (no distribution unless given)."""

    def run(
        build_dir: Path,
        *,
        distribution: str | None = None,
        rules: Rules = rules,
        session: boto3.Session | None = None,
        **options: Any,
    ) -> Outcome:
        target = Target("staging", BUCKET, distribution_id=distribution)
        publisher = Publisher(target, rules, session=session, out=io.StringIO())
        return publisher.publish(build_dir, Options(poll_seconds=0, **options))

    return run
