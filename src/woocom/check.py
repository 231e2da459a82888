"""`woocom check`: validate stack.yaml and print what it declares."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from woocom.config import STACK_FILE, Stack, StackError, load_stack


def summarize(stack: Stack) -> str:
    """A readable summary: resources, then one block per function with its triggers."""
    out = [f"stack {stack.name!r}: {len(stack.functions)} functions"]
    for name, table in stack.tables.items():
        keys = f"{table.hash_key}/{table.range_key}" if table.range_key else table.hash_key
        indexes = ", ".join(stack.tables[name].indexes) or "no indexes"
        capacity = table.capacity()
        billing = f"PROVISIONED {capacity[0]}/{capacity[1]}" if capacity else table.billing_mode
        out.append(f"  table  {name}: keys {keys}, {indexes}, {billing}")
    for name, bucket in stack.buckets.items():
        extra = " versioned" if bucket.versioning else ""
        out.append(f"  bucket {name}{extra}")
    for name, queue in stack.queues.items():
        dlq = f", DLQ after {queue.dlq.max_receive_count} receives" if queue.dlq else ""
        out.append(f"  queue  {name}: visibility {queue.visibility_timeout}s{dlq}")
    for name, fn in stack.functions.items():
        out.append("")
        out.append(
            f"{name}  ({stack.lambda_handler(name)}, {stack.runtime(name)}/"
            f"{stack.architecture(name)}, {stack.memory(name)} MB, {stack.timeout(name)} s, "
            f"logs {stack.log_retention_days(name)} days)"
        )
        if fn.description:
            out.append(f"  {fn.description}")
        for api in fn.triggers.api:
            out.append(f"  api       {api.route:<32} {api.auth.value}")
        for schedule in fn.triggers.schedule:
            out.append(f"  schedule  {schedule.expression}")
        for s3 in fn.triggers.s3:
            out.append(f"  s3        bucket {s3.bucket} {s3.prefix}*{s3.suffix}")
        for sqs in fn.triggers.sqs:
            out.append(
                f"  sqs       queue {sqs.queue} batch {sqs.batch_size}, "
                f"window {sqs.batching_window}s"
            )
        grants = [
            f"{kind} {res}: {level}"
            for kind in ("table", "bucket", "queue")
            for res, level in getattr(fn.permissions, kind).items()
        ]
        out.append(f"  can       {'; '.join(grants) or 'nothing'}")
    return "\n".join(out)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="woocom check", description=__doc__)
    parser.add_argument("--file", type=Path, default=STACK_FILE, help="path to stack.yaml")
    parser.add_argument("--quiet", action="store_true", help="print nothing when valid")
    args = parser.parse_args(argv)
    try:
        stack = load_stack(args.file)
    except StackError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not args.quiet:
        print(summarize(stack))
        print(f"\n{args.file.name} is valid.")
    return 0
