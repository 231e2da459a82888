"""The whole platform in this process: emulator, resources, API, event delivery, schedules.

    with LocalRuntime(port=0) as runtime:
        requests.get(runtime.outputs["api_url"] + "/products")

`nox -s dev` runs one in the foreground (woocom.local.cli); the integration
suite runs one inside the pytest process, so coverage sees the handlers.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from woocom import events
from woocom.atomic import write_atomic
from woocom.config import STACK_FILE, Stack, load_stack
from woocom.emulated import REGION
from woocom.local.api import ApiApplication, ApiServer, BucketSite, Router
from woocom.local.auth import CognitoAuthorizer
from woocom.local.emulator import Emulator
from woocom.local.functions import FunctionHost, environment_set, shared_environment
from woocom.local.iam import LocalIam, local_iam
from woocom.local.ownership import ENV_FILE_OWNER, claim_outputs, remove_own_files
from woocom.local.pollers import S3Poller, SqsPoller
from woocom.local.provision import (
    Resources,
    function_name,
    issue_tokens,
    provision,
    resource_prefix,
)
from woocom.local.schedule import Schedule, Scheduler, parse_schedule
from woocom.local.threads import STOP_TIMEOUT, DaemonPool, Deadline, join
from woocom.outputs import write_outputs
from woocom.paths import outputs_file

log = logging.getLogger("woocom.local")

SEED_FILE = Path(__file__).with_name("seed_catalog.json")
# moto's ID tokens live one hour; re-issue well before, so the outputs file stays usable.
TOKEN_REFRESH_SECONDS = 45 * 60


class LocalRuntime:
    """Start with `start()` or `with`; `stop()` leaves no thread, socket or variable behind."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        stack_file: Path = STACK_FILE,
        functions_dir: Path | None = None,
        seed_file: Path | None = SEED_FILE,
        overrides: Mapping[str, str] | None = None,
        schedules: Mapping[str, str] | None = None,
        outputs_path: Path | None = None,
        reload: bool = True,
        enforce_iam: bool = True,
        allow_remote: bool = False,
    ) -> None:
        self.host = host
        self.allow_remote = allow_remote
        self.port = port
        self.stack_file = stack_file
        self.functions_dir = functions_dir or stack_file.parent / "functions"
        self.seed_file = seed_file
        self.overrides = dict(overrides or {})
        self.schedule_overrides = dict(schedules or {})
        self.outputs_path = outputs_path or outputs_file("local")
        self.reload = reload
        # Each function's AWS calls are checked against its stack.yaml permissions (local/iam.py).
        self.enforce_iam = enforce_iam
        self.iam: LocalIam | None = None
        self.outputs: dict[str, Any] = {}
        self.app: ApiApplication | None = None
        self.started_in: float = 0.0
        self._stack: Stack | None = None
        self._host: FunctionHost | None = None
        self._stop = threading.Event()
        self._cleanup = ExitStack()
        self._deadline = Deadline(STOP_TIMEOUT)

    @property
    def env_file(self) -> Path:
        """Shell exports that point the aws CLI and boto3 at the emulator."""
        return self.outputs_path.with_suffix(".env")

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise RuntimeError("the local runtime is not started")
        return self._stack

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> LocalRuntime:
        started = time.perf_counter()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.started_in = time.perf_counter() - started
        return self

    def _start(self) -> None:
        stack = self._stack = load_stack(self.stack_file, self.functions_dir)
        schedules = self._schedules(stack)
        claim_outputs(self.outputs_path)
        # Bind the API port before anything else: a taken port is the commonest failure.
        api = ApiServer(self.host, self.port, allow_remote=self.allow_remote)
        self._cleanup.callback(self._bounded, api.stop)
        # Loopback whatever --host says: the functions reach it in this process, and moto
        # would hand anyone who reaches it the Cognito users and every resource.
        emulator = Emulator("127.0.0.1").start()
        self._cleanup.callback(self._bounded, emulator.stop)
        log.info("emulator on %s; creating the resources", emulator.endpoint_url)
        resources = provision(stack, emulator, resource_prefix(stack))
        self._cleanup.enter_context(
            environment_set(
                {**emulator.environment(), **shared_environment(stack, resources, self.overrides)}
            )
        )
        self.iam = local_iam(stack, resources) if self.enforce_iam else None
        host = self._host = FunctionHost(stack, self.functions_dir, self.iam)
        self._cleanup.enter_context(host.importable())

        authorizer = CognitoAuthorizer(
            emulator.endpoint_url, REGION, resources.user_pool_id, resources.user_pool_client_id
        )
        site = (
            BucketSite(emulator.s3(), resources.buckets["site"])
            if "site" in resources.buckets
            else _NoSite()
        )
        app = self.app = ApiApplication(
            Router(stack), self.invoke, authorizer, site, events.api_gateway_event
        )
        tokens = issue_tokens(emulator.cognito(), resources)
        if self.seed_file is not None:
            seed(app, self.seed_file, tokens["admin_token"])

        api.start(app)
        # Registered again (stop is idempotent) so requests end before the emulator stops.
        self._cleanup.callback(self._bounded, api.stop)
        self.outputs = self._outputs(api, emulator, resources, tokens)
        # Registered before writing: a failed write still leaves nothing of ours behind.
        self._cleanup.callback(remove_own_files, self.outputs_path, self.env_file)
        write_outputs("local", self.outputs, self.outputs_path)
        write_atomic(self.env_file, shell_environment(emulator.environment(), os.getpid()))

        self._start_pollers(emulator, resources)
        # Daemon threads: a ThreadPoolExecutor's are joined, without a timeout, at exit.
        executor = DaemonPool(4, "async-invoke")
        self._cleanup.callback(self._bounded, executor.stop)

        def fire(name: str, when: datetime) -> None:
            executor.submit(self._fire_schedule, name, when)

        scheduler = Scheduler(schedules, fire)
        scheduler.start()
        self._cleanup.callback(self._bounded, scheduler.stop)
        self._start_thread("refresh-tokens", self._refresh_tokens, emulator, resources)
        if self.reload:
            self._start_thread("reload", self._watch_code)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop everything started, in reverse order; safe to call twice.

        Bounded: the threads get `timeout` seconds in all (each at least a moment);
        one still running then is named in the log and left behind (they are daemons).
        """
        self._deadline = Deadline(timeout)
        self._stop.set()
        self._cleanup.close()

    def _bounded(self, stop: Callable[[float], object]) -> None:
        """Call a part's `stop(timeout)` with what is left of the stop's deadline."""
        stop(self._deadline.remaining())

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- invocation --------------------------------------------------------------------

    def invoke(self, function: str, event: Any) -> Any:
        """Call `function`'s handler with `event`, as Lambda would; exceptions propagate."""
        if self._host is None:
            raise RuntimeError("the local runtime is not started")
        context = events.lambda_context(
            function_name=function_name(self.stack, function),
            timeout=self.stack.timeout(function),
            memory=self.stack.memory(function),
        )
        return self._host.invoke(function, event, context)

    def _fire_schedule(self, function: str, when: datetime) -> None:
        try:
            rule_name = function_name(self.stack, function)
            rule = f"arn:aws:events:{REGION}:{events.ACCOUNT_ID}:rule/{rule_name}"
            self.invoke(function, events.scheduled_event(rule, when=when))
        except Exception:
            log.exception("%s raised on its schedule", function)

    # --- parts -------------------------------------------------------------------------

    def _schedules(self, stack: Stack) -> list[tuple[str, Schedule]]:
        unknown = set(self.schedule_overrides) - set(stack.functions)
        if unknown:
            raise ValueError(
                f"--schedule names unknown function(s) {', '.join(sorted(unknown))}; "
                f"functions: {', '.join(stack.functions)}"
            )
        jobs: list[tuple[str, Schedule]] = []
        for name, fn in stack.functions.items():
            if name in self.schedule_overrides:
                jobs.append((name, parse_schedule(self.schedule_overrides[name])))
                continue
            jobs.extend(
                (name, parse_schedule(s.expression)) for s in fn.triggers.schedule if s.enabled
            )
        return jobs

    def _start_pollers(self, emulator: Emulator, resources: Resources) -> None:
        pollers: list[SqsPoller | S3Poller] = []
        for name, fn in self.stack.functions.items():
            for trigger in fn.triggers.sqs:
                queue = resources.queues[trigger.queue]
                pollers.append(
                    SqsPoller(
                        emulator.sqs(),
                        name,
                        queue.url,
                        queue.arn,
                        trigger.batch_size,
                        trigger.batching_window,
                        self.invoke,
                        events.sqs_event,
                    )
                )
        pollers.extend(
            S3Poller(emulator.sqs(), d.function, d.queue.url, self.invoke)
            for d in resources.s3_deliveries
        )
        for poller in pollers:
            poller.start()
            self._cleanup.callback(self._bounded, poller.stop)
        # Registered last, so run first: every poller ends its long poll at once, then is joined.
        for poller in pollers:
            self._cleanup.callback(poller.request_stop)

    def _start_thread(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._cleanup.callback(self._bounded, partial(join, thread))

    def _refresh_tokens(self, emulator: Emulator, resources: Resources) -> None:
        while not self._stop.wait(TOKEN_REFRESH_SECONDS):
            self.outputs.update(issue_tokens(emulator.cognito(), resources))
            write_outputs("local", self.outputs, self.outputs_path)
            log.info("fresh tokens written to %s", self.outputs_path)

    def _watch_code(self) -> None:
        import watchfiles

        for changes in watchfiles.watch(
            self.functions_dir, self.stack_file, stop_event=self._stop, raise_interrupt=False
        ):
            changed = sorted({Path(path) for _, path in changes})
            if self.stack_file.resolve() in {p.resolve() for p in changed}:
                log.warning(
                    "%s changed: restart `nox -s dev` to apply it (resources are created at start)",
                    self.stack_file.name,
                )
            if self._host is not None and any(p.suffix == ".py" for p in changed):
                packages = self._host.forget_modules()
                names = ", ".join(p.name for p in changed)
                log.info(
                    "code changed (%s): %s reload on their next invocation",
                    names,
                    ", ".join(packages) or "functions",
                )

    def _outputs(
        self, api: ApiServer, emulator: Emulator, resources: Resources, tokens: dict[str, str]
    ) -> dict[str, Any]:
        outputs: dict[str, Any] = {
            "region": REGION,
            "api_url": api.url,
            "site_url": api.url + "/",
            "aws_endpoint_url": emulator.endpoint_url,
            "table_name": next(iter(resources.tables.values()), None),
            "user_pool_id": resources.user_pool_id,
            "user_pool_client_id": resources.user_pool_client_id,
            "distribution_id": None,
            # Who owns this file: a second `nox -s dev` refuses to take it from a live owner.
            "pid": os.getpid(),
            **tokens,
        }
        for name, bucket in resources.buckets.items():
            outputs[f"{name}_bucket"] = bucket
        for name, queue in resources.queues.items():
            outputs[f"{name}_queue_url"] = queue.url
            outputs[f"{name}_dlq_url"] = queue.dlq_url
        return outputs


def shell_environment(values: Mapping[str, str], pid: int) -> str:
    lines = [f"export {key}={shlex.quote(value)}" for key, value in sorted(values.items())]
    return (
        "# `. this-file` in a shell: the aws CLI and boto3 then use the local emulator\n"
        f"{ENV_FILE_OWNER}{pid}\n" + "\n".join(lines) + "\n"
    )


class _NoSite:
    """A stack without a `site` bucket: every page is the route list."""

    def get(self, key: str) -> None:  # noqa: ARG002
        return None


def seed(app: ApiApplication, seed_file: Path, admin_token: str) -> int:
    """Replay the seed file's requests through the API as the admin; the number replayed.

    Going through the real routes means the stored format is written by the
    handlers alone, never a second time here.
    """
    requests = json.loads(seed_file.read_text(encoding="utf-8"))["requests"]
    headers = {"authorization": f"Bearer {admin_token}", "content-type": "application/json"}
    responses = []
    # The handlers' one-line-per-request logs would bury the banner: quiet while seeding.
    logging.disable(logging.INFO)
    try:
        for request in requests:
            body = json.dumps(request.get("body")).encode() if "body" in request else b""
            responses.append(app.handle(request["method"], request["path"], headers, body)[0])
    finally:
        logging.disable(logging.NOTSET)
    for request, response in zip(requests, responses, strict=True):
        if response.status >= 300:
            log.warning(
                "seed %s %s answered %d: %s",
                request["method"],
                request["path"],
                response.status,
                response.body.decode(errors="replace")[:300],
            )
    log.info("seeded %d request(s) from %s", len(requests), seed_file.name)
    return len(requests)
