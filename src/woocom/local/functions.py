"""Run the stack's real handlers in this process, with the environment Lambda would give them.

All functions share one interpreter, so they share one `os.environ`: the union
of every function's variables is set once, and two functions that declare the
same variable with different values are refused at startup. Code changes are
picked up without restarting the emulator: the changed modules are forgotten
and the next invocation imports them afresh, like a Lambda cold start.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from woocom.config import Stack
from woocom.local.iam import LocalIam
from woocom.local.provision import Resources

log = logging.getLogger("woocom.local")

Handler = Callable[[Any, Any], Any]


class EnvironmentConflictError(ValueError):
    """Two functions need different values for one variable; they cannot share a process."""


def function_environment(
    stack: Stack, name: str, resources: Resources, environment: str = "local"
) -> dict[str, str]:
    """What Lambda would put in the environment of function `name`."""
    fn = stack.function(name)
    return {
        **resources.environment(fn.permissions),
        **fn.environment,
        "WOOCOM_ENV": environment,
        "LOG_LEVEL": "INFO",
    }


def lambda_reserved_environment(stack: Stack, name: str, aws_name: str) -> dict[str, str]:
    """Variables the Lambda runtime itself sets; only where one function owns the process."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": aws_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(stack.memory(name)),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{aws_name}",
    }


def shared_environment(
    stack: Stack, resources: Resources, overrides: Mapping[str, str]
) -> dict[str, str]:
    """The union of every function's environment, then `overrides` (`--set NAME=VALUE`)."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    conflicts: list[str] = []
    for name in stack.functions:
        for key, value in function_environment(stack, name, resources).items():
            if key in merged and merged[key] != value:
                conflicts.append(f"{key}: {owner[key]} sets {merged[key]!r}, {name} sets {value!r}")
            merged.setdefault(key, value)
            owner.setdefault(key, name)
    if conflicts:
        listing = "\n".join(f"  - {c}" for c in conflicts)
        raise EnvironmentConflictError(
            "the local runtime runs every function in one process, so a variable must have "
            f"one value across functions:\n{listing}\n"
            "Give the variables distinct names in stack.yaml, "
            "or pin one value with --set NAME=VALUE."
        )
    return {**merged, **overrides}


@contextmanager
def environment_set(values: Mapping[str, str]) -> Iterator[None]:
    """`values` in os.environ for the duration; the previous values come back after."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class FunctionHost:
    """Imports handlers on first use, calls them, and forgets them when their files change.

    With `iam`, each call runs as its function's role: an AWS call the role would
    not allow on AWS is denied here too (woocom.local.iam).
    """

    def __init__(self, stack: Stack, functions_dir: Path, iam: LocalIam | None = None) -> None:
        self.stack = stack
        self.iam = iam
        self.functions_dir = functions_dir.resolve()
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()

    @contextmanager
    def importable(self) -> Iterator[None]:
        """Put the functions folder first on sys.path while the host runs."""
        entry = str(self.functions_dir)
        added = entry not in sys.path
        if added:
            sys.path.insert(0, entry)
        self.forget_modules()
        try:
            yield
        finally:
            self.forget_modules()
            if added:
                sys.path.remove(entry)

    def handler(self, name: str) -> Handler:
        with self._lock:
            if name not in self._handlers:
                module_name, _, attr = self.stack.lambda_handler(name).rpartition(".")
                module = importlib.import_module(module_name)
                self._handlers[name] = getattr(module, attr)
            return self._handlers[name]

    def invoke(self, name: str, event: Any, context: Any) -> Any:
        """Call the handler; its exception propagates (callers map it as AWS would)."""
        role: AbstractContextManager[None] = (
            self.iam.acting_as(name) if self.iam is not None else nullcontext()
        )
        started = time.perf_counter()
        try:
            # The import too: a cold start's AWS calls run with the function's role on Lambda.
            with role:
                return self.handler(name)(event, context)
        finally:
            elapsed = time.perf_counter() - started
            timeout = self.stack.timeout(name)
            if elapsed > timeout:
                log.warning(
                    "%s ran %.1f s: on Lambda it would have been stopped at its %d s timeout",
                    name,
                    elapsed,
                    timeout,
                )

    def forget_modules(self) -> list[str]:
        """Drop every module loaded from the functions folder; return their top-level packages.

        All of them, not only the changed one: a change to the shared package must
        reach every function that imports it, and re-importing takes milliseconds.
        A handler already running keeps its old module objects.
        """
        dropped: set[str] = set()
        with self._lock:
            for module_name, module in list(sys.modules.items()):
                origin = getattr(module, "__file__", None)
                if origin and Path(origin).resolve().is_relative_to(self.functions_dir):
                    del sys.modules[module_name]
                    dropped.add(module_name.split(".")[0])
            self._handlers.clear()
        return sorted(dropped)
