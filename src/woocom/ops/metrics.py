"""`python -m woocom.ops.metrics`: the CloudWatch metrics our alarms and dashboard use.

One entry per metric: its namespace, name, statistic, the dimension sets AWS
publishes it under, and the AWS page that says so. An alarm whose dimensions are
not one of those sets watches a time series that does not exist: it never fires
(with `notBreaching` it stays green forever). DynamoDB's `ThrottledRequests`,
`SystemErrors` and `SuccessfulRequestLatency`, for one, exist only per
`TableName` + `Operation`.

Terraform reads the table from terraform/modules/alarms/metrics.json, which this
module writes (`--check` only reports a stale file; a unit test runs it). The
alarms module refuses, at plan time, an alarm whose dimensions are not a
published set of its metric; `check_dimensions` is the same rule in Python.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from woocom.paths import REPO_ROOT
from woocom.tf.files import write_if_changed

METRICS_FILE = REPO_ROOT / "terraform" / "modules" / "alarms" / "metrics.json"

_API_GATEWAY = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html"
_LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html"
_SQS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html"
_DYNAMODB = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html"
)
_CLOUDFRONT = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html"
_SYNTHETICS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Canaries_metrics.html"

STATISTICS = frozenset({"Sum", "Average", "Maximum", "Minimum", "SampleCount"})
_SERVICES = {"CloudWatchSynthetics": "synthetics"}


@dataclass(frozen=True)
class Metric:
    namespace: str
    name: str
    statistic: str
    dimension_sets: tuple[frozenset[str], ...]
    unit: str
    source: str

    @property
    def key(self) -> str:
        """`<service>.<MetricName>`, the name alarms use: `dynamodb.ThrottledRequests`."""
        service = _SERVICES.get(self.namespace, self.namespace.removeprefix("AWS/").lower())
        return f"{service}.{self.name}"

    def document(self) -> dict[str, object]:
        return {
            "namespace": self.namespace,
            "metric_name": self.name,
            "statistic": self.statistic,
            "dimension_sets": sorted(sorted(dims) for dims in self.dimension_sets),
            "unit": self.unit,
            "source": self.source,
        }


def _metric(
    namespace: str, name: str, statistic: str, unit: str, source: str, *sets: Iterable[str]
) -> Metric:
    return Metric(namespace, name, statistic, tuple(frozenset(s) for s in sets), unit, source)


_REST_API = (("ApiName",), ("ApiName", "Stage"), ("ApiName", "Method", "Resource", "Stage"))
_FUNCTION = (("FunctionName",), ("FunctionName", "Resource"))
_TABLE_OR_INDEX = (("TableName",), ("TableName", "GlobalSecondaryIndexName"))
_PER_OPERATION = (("TableName", "Operation"),)
_DISTRIBUTION = (("DistributionId", "Region"),)

CATALOG: tuple[Metric, ...] = (
    # API Gateway REST APIs: 4XXError/5XXError averages are error rates (0..1).
    _metric("AWS/ApiGateway", "5XXError", "Sum", "Count", _API_GATEWAY, *_REST_API),
    _metric("AWS/ApiGateway", "4XXError", "Average", "Count", _API_GATEWAY, *_REST_API),
    _metric("AWS/ApiGateway", "Latency", "p99", "Milliseconds", _API_GATEWAY, *_REST_API),
    _metric("AWS/ApiGateway", "Count", "Sum", "Count", _API_GATEWAY, *_REST_API),
    # Lambda.
    _metric("AWS/Lambda", "Errors", "Sum", "Count", _LAMBDA, *_FUNCTION),
    _metric("AWS/Lambda", "Throttles", "Sum", "Count", _LAMBDA, *_FUNCTION),
    _metric("AWS/Lambda", "Duration", "p99", "Milliseconds", _LAMBDA, *_FUNCTION),
    _metric("AWS/Lambda", "Invocations", "Sum", "Count", _LAMBDA, *_FUNCTION),
    # SQS.
    _metric("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", "Seconds", _SQS, ("QueueName",)),
    _metric(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "Count", _SQS, ("QueueName",)
    ),
    # DynamoDB: throttle events per table and per GSI; requests per table AND operation.
    _metric("AWS/DynamoDB", "ReadThrottleEvents", "Sum", "Count", _DYNAMODB, *_TABLE_OR_INDEX),
    _metric("AWS/DynamoDB", "WriteThrottleEvents", "Sum", "Count", _DYNAMODB, *_TABLE_OR_INDEX),
    _metric("AWS/DynamoDB", "ThrottledRequests", "Sum", "Count", _DYNAMODB, *_PER_OPERATION),
    _metric("AWS/DynamoDB", "SystemErrors", "Sum", "Count", _DYNAMODB, *_PER_OPERATION),
    _metric(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        "Average",
        "Milliseconds",
        _DYNAMODB,
        *_PER_OPERATION,
    ),
    _metric(
        "AWS/DynamoDB", "ConsumedReadCapacityUnits", "Sum", "Count", _DYNAMODB, *_TABLE_OR_INDEX
    ),
    _metric(
        "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum", "Count", _DYNAMODB, *_TABLE_OR_INDEX
    ),
    # Account-level quotas: no dimension. On-demand tables are capped per table (and per GSI)
    # at AccountMaxTableLevelReads/Writes units per second.
    _metric("AWS/DynamoDB", "AccountMaxTableLevelReads", "Maximum", "Count", _DYNAMODB, ()),
    _metric("AWS/DynamoDB", "AccountMaxTableLevelWrites", "Maximum", "Count", _DYNAMODB, ()),
    # CloudFront: published in us-east-1 only, with Region=Global.
    _metric("AWS/CloudFront", "5xxErrorRate", "Average", "Percent", _CLOUDFRONT, *_DISTRIBUTION),
    _metric("AWS/CloudFront", "4xxErrorRate", "Average", "Percent", _CLOUDFRONT, *_DISTRIBUTION),
    _metric("AWS/CloudFront", "Requests", "Sum", "None", _CLOUDFRONT, *_DISTRIBUTION),
    # Synthetics canaries.
    _metric(
        "CloudWatchSynthetics",
        "SuccessPercent",
        "Average",
        "Percent",
        _SYNTHETICS,
        ("CanaryName",),
        ("CanaryName", "StepName"),
    ),
)

METRICS: dict[str, Metric] = {metric.key: metric for metric in CATALOG}


class UnpublishedDimensionsError(ValueError):
    """An alarm asks for a metric under dimensions AWS does not publish it with."""


def check_dimensions(key: str, dimensions: Iterable[str]) -> Metric:
    """The metric `key`, if AWS publishes it under exactly `dimensions`; else a clear error."""
    try:
        metric = METRICS[key]
    except KeyError:
        known = ", ".join(sorted(METRICS))
        raise UnpublishedDimensionsError(
            f"{key} is not in the metrics table; known: {known}"
        ) from None
    wanted = frozenset(dimensions)
    if wanted not in metric.dimension_sets:
        published = " or ".join(
            "{" + ", ".join(sorted(s)) + "}" if s else "{} (no dimension)"
            for s in metric.dimension_sets
        )
        raise UnpublishedDimensionsError(
            f"{metric.namespace} {metric.name} is not published per "
            f"{{{', '.join(sorted(wanted))}}}: AWS publishes it per {published} "
            f"({metric.source}); an alarm on it would never fire"
        )
    return metric


def render(metrics: Mapping[str, Metric] = METRICS) -> str:
    document = {
        "_comment": "Generated by `python -m woocom.ops.metrics` from src/woocom/ops/metrics.py.",
        "metrics": {key: metrics[key].document() for key in sorted(metrics)},
    }
    return json.dumps(document, indent=2) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m woocom.ops.metrics", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report a stale file, change nothing")
    parser.add_argument("--output", type=Path, default=METRICS_FILE)
    args = parser.parse_args(argv)
    wanted = render()
    current = args.output.read_text() if args.output.is_file() else None
    if current == wanted:
        return 0
    if args.check:
        print(f"{args.output} is stale: run `python -m woocom.ops.metrics`", file=sys.stderr)
        return 1
    write_if_changed(args.output, wanted.encode())
    print(f"updated {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
