"""`nox -s logs -- <target> <function> [--since 10m] [--follow] [--correlation-id ID]`.

Prints one function's log lines, oldest first. On AWS (staging, production,
pr-12, dev-alice) it reads the function's CloudWatch log group with
`filter_log_events`, every page of it; the function's AWS name and the region
come from the target's outputs (`.woocom/outputs/<target>.json`, written by
`nox -s deploy`), else from stack.yaml's naming (`<stack>-<target>-<function>`).
`local` reads the file the local runtime (`nox -s dev`) appends every function's
JSON lines to, `.woocom/logs/local.jsonl`, and keeps the lines of that function.
`--follow` keeps printing new lines until Ctrl-C.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from woocom.config import StackError, load_stack
from woocom.emulated import REGION
from woocom.outputs import OutputsMissingError, read_outputs
from woocom.paths import STATE_DIR

LOCAL = "local"
LOCAL_LOG_FILE = STATE_DIR / "logs" / "local.jsonl"
LOG_FILE_VARIABLE = "WOOCOM_LOG_FILE"  # read by functions/storefront/logs.py
# A local log above this size is set aside when the local runtime starts.
LOCAL_LOG_LIMIT_BYTES = 20 * 1024 * 1024

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


class LogsError(Exception):
    """What the user asked for cannot be read; the message says why and what to do."""


def local_log_environment(path: Path = LOCAL_LOG_FILE) -> dict[str, str]:
    """The variable that makes the local runtime's functions append their lines to `path`.

    The local runtime's CLI adds it to the functions' environment (which it restores
    when it stops); the functions' logger reads it (functions/storefront/logs.py).
    A variable already exported wins. A large file is set aside first.
    """
    chosen = Path(os.environ.get(LOG_FILE_VARIABLE) or path)
    chosen.parent.mkdir(parents=True, exist_ok=True)
    if chosen.is_file() and chosen.stat().st_size > LOCAL_LOG_LIMIT_BYTES:
        chosen.replace(chosen.with_name(chosen.name + ".1"))
    return {LOG_FILE_VARIABLE: str(chosen)}


def parse_since(text: str) -> timedelta:
    """`10m`, `90s`, `2h`, `1d`."""
    match = _DURATION.match(text.strip())
    if not match:
        raise LogsError(f"--since {text!r}: use a number and a unit, like 90s, 10m, 2h or 1d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


@dataclass(frozen=True)
class Source:
    """Where one function's lines are: a log group on AWS, or the local log file."""

    target: str
    function: str
    aws_name: str
    region: str

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.aws_name}"


def resolve(target: str, function: str, stack_file: Path | None = None) -> Source:
    """The function's AWS name and region for `target`; unknown functions are named."""
    try:
        stack = load_stack(stack_file) if stack_file else load_stack()
    except StackError as exc:
        raise LogsError(str(exc)) from None
    if function not in stack.functions:
        close = difflib.get_close_matches(function, list(stack.functions), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise LogsError(
            f"no function {function!r} in stack.yaml: {hint}"
            f"the functions are {', '.join(sorted(stack.functions))}"
        )
    try:
        outputs = read_outputs(target)
    except OutputsMissingError:
        outputs = {}
    aws_name = (outputs.get("function_names") or {}).get(function) or (
        f"{stack.name}-{target}-{function}"
    )
    region = (
        outputs.get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or REGION
    )
    return Source(target, function, aws_name, region)


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    timestamp: datetime
    text: str


def _document(text: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _belongs(document: dict[str, Any], source: Source) -> bool:
    """A local line is the function's when it names it (`woocom-local-catalog_api`)."""
    name = document.get("function")
    return isinstance(name, str) and (
        name == source.aws_name or name.endswith(f"-{source.function}")
    )


def _local_time(document: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(document.get("timestamp")))
    except ValueError:
        return None


def read_local(
    source: Source, path: Path, since: datetime, correlation_id: str | None
) -> tuple[list[Line], int]:
    """The function's lines of the local log since `since`, and where the file ended."""
    if not path.is_file():
        raise LogsError(
            f"no local log at {path}: start the local stack with `nox -s dev` "
            "(its functions append their lines there)"
        )
    with path.open("rb") as file:
        data = file.read()
    # A line still being written (no newline yet) is read on the next pass.
    complete = data[: data.rfind(b"\n") + 1]
    return _local_lines(complete.decode("utf-8", "replace"), source, since, correlation_id), len(
        complete
    )


def _local_lines(
    text: str, source: Source, since: datetime, correlation_id: str | None
) -> list[Line]:
    lines = []
    for raw in text.splitlines():
        document = _document(raw)
        if document is None or not _belongs(document, source):
            continue
        moment = _local_time(document)
        if moment is None or moment < since:
            continue
        if correlation_id and document.get("correlation_id") != correlation_id:
            continue
        lines.append(Line(moment, raw))
    return lines


def follow_local(
    source: Source,
    path: Path,
    offset: int,
    correlation_id: str | None,
    *,
    sleep: Sleep = time.sleep,
    polls: int | None = None,
) -> Iterator[Line]:
    """New lines of the function appended after `offset`, polled every second."""
    done = 0
    while polls is None or done < polls:
        sleep(1.0)
        done += 1
        if not path.is_file() or path.stat().st_size < offset:  # set aside: start over
            offset = 0
        if not path.is_file():
            continue
        with path.open("rb") as file:
            file.seek(offset)
            data = file.read()
        complete = data[: data.rfind(b"\n") + 1]
        offset += len(complete)
        epoch = datetime.min.replace(tzinfo=UTC)
        yield from _local_lines(complete.decode("utf-8", "replace"), source, epoch, correlation_id)


def _pattern(correlation_id: str | None) -> str | None:
    if not correlation_id:
        return None
    if '"' in correlation_id or "\\" in correlation_id:
        raise LogsError("--correlation-id cannot contain quotes or backslashes")
    return f'{{ $.correlation_id = "{correlation_id}" }}'


def read_aws(
    client: Any,
    source: Source,
    start: datetime,
    correlation_id: str | None,
    *,
    page_size: int | None = None,
) -> list[tuple[str, Line]]:
    """Every event of the log group since `start` (all pages), oldest first, with its id."""
    request: dict[str, Any] = {
        "logGroupName": source.log_group,
        "startTime": int(start.timestamp() * 1000),
        "interleaved": True,
    }
    pattern = _pattern(correlation_id)
    if pattern:
        request["filterPattern"] = pattern
    if page_size:
        request["limit"] = page_size
    found: list[tuple[str, Line]] = []
    try:
        while True:
            page = client.filter_log_events(**request)
            for event in page.get("events", []):
                text = event["message"].rstrip("\n")
                if correlation_id:  # the pattern filters on AWS; this also holds on emulators
                    document = _document(text)
                    if document is None or document.get("correlation_id") != correlation_id:
                        continue
                moment = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
                found.append((event["eventId"], Line(moment, text)))
            token = page.get("nextToken")
            if not token or token == request.get("nextToken"):
                break
            request["nextToken"] = token
    except client.exceptions.ResourceNotFoundException:
        raise LogsError(
            f"no log group {source.log_group} in {source.region}: is {source.function} deployed "
            f"to {source.target}, and has it run yet? (`nox -s deploy -- {source.target}`)"
        ) from None
    except (BotoCoreError, ClientError) as exc:
        raise LogsError(f"cannot read {source.log_group} in {source.region}: {exc}") from None
    found.sort(key=lambda item: item[1].timestamp)
    return found


def follow_aws(
    client: Any,
    source: Source,
    start: datetime,
    correlation_id: str | None,
    *,
    seen: set[str],
    sleep: Sleep = time.sleep,
    polls: int | None = None,
) -> Iterator[Line]:
    """Events newer than the last one printed, polled every 2 seconds (ids never repeat)."""
    done = 0
    while polls is None or done < polls:
        sleep(2.0)
        done += 1
        for event_id, line in read_aws(client, source, start, correlation_id):
            if event_id not in seen:
                seen.add(event_id)
                start = max(start, line.timestamp)
                yield line


# --- printing ------------------------------------------------------------------------


def render(line: Line) -> str:
    """`12:03:04.567 INFO  <correlation> message {extra}`; non-JSON lines as they are."""
    document = _document(line.text)
    clock = line.timestamp.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3]
    if document is None:
        return f"{clock} {line.text}"
    known = {"timestamp", "level", "logger", "message", "correlation_id", "function", "request_id"}
    extra = {k: v for k, v in document.items() if k not in known and k != "exception"}
    parts = [
        clock,
        f"{document.get('level', '-'):<7}",
        f"[{document.get('correlation_id') or '-'}]",
        str(document.get("message", "")),
    ]
    if extra:
        parts.append(json.dumps(extra, default=str))
    text = " ".join(parts)
    if document.get("exception"):
        text += "\n" + str(document["exception"])
    return text


def show(lines: Iterator[Line] | list[Line], out: TextIO, as_json: bool) -> None:
    for line in lines:
        out.write((line.text if as_json else render(line)) + "\n")
        out.flush()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nox -s logs --", description=__doc__.split("\n")[0])
    p.add_argument("target", help="local, staging, production, pr-<n> or dev-<name>")
    p.add_argument("function", help="a function of stack.yaml, e.g. catalog_api")
    p.add_argument("--since", default="10m", help="how far back: 90s, 10m (default), 2h, 1d")
    p.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    p.add_argument("--correlation-id", help="only the lines of this request or order")
    p.add_argument("--json", action="store_true", help="print the JSON lines as they are")
    return p


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    now: Clock = lambda: datetime.now(UTC),
    client: Any = None,
    local_log: Path | None = None,
) -> int:
    args = parser().parse_args(argv)
    out = out or sys.stdout
    try:
        since = now() - parse_since(args.since)
        source = resolve(args.target, args.function)
        if args.target == LOCAL:
            path = local_log or Path(os.environ.get(LOG_FILE_VARIABLE) or LOCAL_LOG_FILE)
            lines, offset = read_local(source, path, since, args.correlation_id)
            show(lines, out, args.json)
            if args.follow:
                show(follow_local(source, path, offset, args.correlation_id), out, args.json)
            return 0
        client = client or _logs_client(source)
        found = read_aws(client, source, since, args.correlation_id)
        show([line for _, line in found], out, args.json)
        if args.follow:
            start = found[-1][1].timestamp if found else since
            seen = {event_id for event_id, _ in found}
            show(follow_aws(client, source, start, args.correlation_id, seen=seen), out, args.json)
    except LogsError as exc:
        print(f"logs: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def _logs_client(source: Source) -> Any:
    import boto3  # only AWS targets need it

    try:
        return boto3.client("logs", region_name=source.region)
    except BotoCoreError as exc:
        raise LogsError(f"cannot reach CloudWatch Logs in {source.region}: {exc}") from None


if __name__ == "__main__":
    raise SystemExit(main())
