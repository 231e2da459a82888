"""The table of CloudWatch metrics alarms may use: published dimension sets only, cited, in step."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from woocom.ops import metrics
from woocom.ops.metrics import METRICS, UnpublishedDimensionsError, check_dimensions


def test_metrics_json_is_generated_from_the_table() -> None:
    assert metrics.main(["--check"]) == 0, "run `python -m woocom.ops.metrics`"


def test_a_stale_file_is_reported_and_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    target.write_text("{}\n")
    assert metrics.main(["--check", "--output", str(target)]) == 1
    assert metrics.main(["--output", str(target)]) == 0
    assert json.loads(target.read_text())["metrics"]["dynamodb.SystemErrors"]["dimension_sets"] == [
        ["Operation", "TableName"]
    ]


@pytest.mark.parametrize(
    ("key", "dimensions"),
    [
        # What the first alarms module did: these never fire.
        ("dynamodb.ThrottledRequests", {"TableName"}),
        ("dynamodb.SystemErrors", {"TableName"}),
        ("dynamodb.SuccessfulRequestLatency", {"TableName"}),
        ("apigateway.5XXError", {"Stage"}),
        ("cloudfront.5xxErrorRate", {"DistributionId"}),
        ("lambda.Errors", {"FunctionName", "TableName"}),
    ],
)
def test_unpublished_dimension_sets_are_refused(key: str, dimensions: set[str]) -> None:
    with pytest.raises(UnpublishedDimensionsError, match="never fire") as caught:
        check_dimensions(key, dimensions)
    assert METRICS[key].source in str(caught.value)


@pytest.mark.parametrize(
    ("key", "dimensions"),
    [
        ("dynamodb.ThrottledRequests", {"TableName", "Operation"}),
        ("dynamodb.ReadThrottleEvents", {"TableName"}),
        ("dynamodb.WriteThrottleEvents", {"TableName", "GlobalSecondaryIndexName"}),
        ("dynamodb.AccountMaxTableLevelReads", set()),
        ("apigateway.5XXError", {"ApiName", "Stage"}),
        ("cloudfront.Requests", {"DistributionId", "Region"}),
        ("sqs.ApproximateAgeOfOldestMessage", {"QueueName"}),
        ("synthetics.SuccessPercent", {"CanaryName"}),
    ],
)
def test_published_dimension_sets_are_accepted(key: str, dimensions: set[str]) -> None:
    assert check_dimensions(key, dimensions).key == key


def test_an_unknown_metric_names_the_known_ones() -> None:
    with pytest.raises(UnpublishedDimensionsError, match=r"dynamodb\.SystemErrors"):
        check_dimensions("dynamodb.SystemError", {"TableName", "Operation"})


@pytest.mark.parametrize("metric", METRICS.values(), ids=METRICS.keys())
def test_every_metric_is_complete_and_cited(metric: metrics.Metric) -> None:
    assert metric.source.startswith("https://docs.aws.amazon.com/")
    assert metric.statistic in metrics.STATISTICS or re.fullmatch(
        r"p\d{1,2}(\.\d+)?", metric.statistic
    )
    assert metric.dimension_sets, "a metric is published under at least one dimension set"
    assert metric.namespace.startswith("AWS/") or metric.namespace == "CloudWatchSynthetics"


def test_keys_are_unique() -> None:
    assert len(METRICS) == len(metrics.CATALOG)


def test_every_metric_the_alarms_module_names_is_in_the_table() -> None:
    """A typo in a metric key would make an alarm on nothing; Terraform checks it too."""
    module = metrics.METRICS_FILE.parent
    text = "\n".join(path.read_text() for path in sorted(module.glob("*.tf")))
    named = set(re.findall(r'metric = "([a-z]+\.[A-Za-z0-9]+)"', text))
    named |= {f"dynamodb.{m}" for m in re.findall(r'metric = "([A-Za-z]+)", function', text)}
    assert named, "the pattern no longer matches the module"
    assert named <= set(METRICS), sorted(named - set(METRICS))
