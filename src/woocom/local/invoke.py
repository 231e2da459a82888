"""`python -m woocom invoke <function> [--event FILE]`: run one function once on the local stack.

The function runs in this process, against the resources of the running
`nox -s dev` (found through .woocom/outputs/local.json), with the environment it
has there. Without --event it gets a default event for its first trigger: a
scheduled event for cron functions (`invoke expire_orders` = the sweep, now),
a request to the first parameterless route for API functions, a one-message
batch for SQS functions, a drop matching the filter for S3 functions.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from woocom import events
from woocom.config import STACK_FILE, Stack, StackError, load_stack
from woocom.local.cli import add_set_option
from woocom.local.emulator import emulator_client, emulator_environment
from woocom.local.functions import (
    FunctionHost,
    environment_set,
    function_environment,
    lambda_reserved_environment,
)
from woocom.local.iam import LocalIam, local_iam
from woocom.local.provision import (
    QueueRef,
    Resources,
    bucket_name,
    function_name,
    resource_name,
    resource_prefix,
)
from woocom.outputs import OutputsMissingError, read_outputs
from woocom.paths import outputs_file


class StackNotRunningError(RuntimeError):
    """The outputs file exists but its emulator does not answer."""


def running_resources(stack: Stack, outputs: dict[str, Any]) -> Resources:
    """The running local stack's resources and secrets' ARNs, named as provision.py names them."""
    prefix = resource_prefix(stack)
    sqs = emulator_client("sqs", outputs["aws_endpoint_url"])
    secretsmanager = emulator_client("secretsmanager", outputs["aws_endpoint_url"])
    resources = Resources(prefix=prefix)
    resources.tables = {name: resource_name(prefix, name) for name in stack.tables}
    resources.buckets = {name: bucket_name(prefix, name) for name in stack.buckets}
    try:
        for name in stack.queues:
            url = sqs.get_queue_url(QueueName=resource_name(prefix, name))["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            resources.queues[name] = QueueRef(url=url, arn=arn["Attributes"]["QueueArn"])
        for name in stack.secrets:
            secret = secretsmanager.describe_secret(SecretId=bucket_name(prefix, name))
            resources.secrets[name] = secret["Name"]
            resources.secret_arns[name] = secret["ARN"]
    except Exception as exc:  # connection refused, or a stack from another stack.yaml
        raise StackNotRunningError(
            f"the local stack at {outputs['aws_endpoint_url']} does not answer ({exc}); "
            "start it with `nox -s dev`"
        ) from None
    return resources


def default_event(stack: Stack, name: str, resources: Resources) -> dict[str, Any]:
    """What the function would typically receive from its first trigger."""
    triggers = stack.function(name).triggers
    if triggers.schedule:
        return events.scheduled_event()
    if triggers.api:
        route = next((t for t in triggers.api if "{" not in t.path), triggers.api[0])
        return events.api_gateway_event(route.method, route.path, resource=route.path)
    if triggers.sqs:
        queue = resources.queues[triggers.sqs[0].queue]
        return events.sqs_event(["{}"], queue.arn)
    if triggers.s3:
        s3 = triggers.s3[0]
        return events.s3_event(resources.buckets[s3.bucket], [f"{s3.prefix}example{s3.suffix}"])
    return {}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="woocom invoke", description=__doc__.split("\n\n")[0])
    p.add_argument("function", help="function name from stack.yaml, e.g. expire_orders")
    p.add_argument("--event", type=Path, help="JSON file with the event ('-' reads stdin)")
    p.add_argument("--stack", type=Path, default=STACK_FILE, help="the stack file (stack.yaml)")
    p.add_argument("--outputs", type=Path, default=outputs_file("local"), help="outputs file")
    add_set_option(p, "override an environment variable of the function")
    p.add_argument(
        "--no-iam",
        action="store_true",
        help="do not check the function's AWS calls against its stack.yaml permissions",
    )
    return p


def main(argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    try:
        stack = load_stack(args.stack)
        stack.function(args.function)
        outputs = read_outputs("local", args.outputs)
        resources = running_resources(stack, outputs)
        if args.event is None:
            event = default_event(stack, args.function, resources)
        else:
            text = sys.stdin.read() if str(args.event) == "-" else args.event.read_text()
            event = json.loads(text)
    except (StackError, OutputsMissingError, StackNotRunningError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 1
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read the event {args.event}: {exc}", file=sys.stderr)
        return 1
    environment = {
        **emulator_environment(outputs["aws_endpoint_url"]),
        **lambda_reserved_environment(stack, args.function, function_name(stack, args.function)),
        **function_environment(stack, args.function, resources),
        **dict(args.overrides),
    }
    if args.no_iam:
        print(
            "IAM checks OFF (--no-iam): calls the deployed role would deny go through",
            file=sys.stderr,
        )
    iam = None if args.no_iam else local_iam(stack, resources)
    return run(stack, args.function, event, environment, args.stack.parent / "functions", iam)


def run(
    stack: Stack,
    name: str,
    event: Any,
    environment: dict[str, str],
    functions_dir: Path,
    iam: LocalIam | None = None,
) -> int:
    """Invoke `name` once; with `iam`, its AWS calls are limited to its role (woocom.local.iam)."""
    host = FunctionHost(stack, functions_dir, iam)
    context = events.lambda_context(
        function_name(stack, name), stack.timeout(name), stack.memory(name)
    )
    with environment_set(environment), host.importable():
        try:
            result = host.invoke(name, event, context)
        except Exception:
            print(traceback.format_exc(), file=sys.stderr)
            print(f"{name} raised (above)", file=sys.stderr)
            return 1
    print(json.dumps(result, indent=2, default=str))
    return 0
