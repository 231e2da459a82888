"""Bounded stopping: the local stack never waits forever on one of its threads.

Every thread the runtime starts is a daemon thread, so one that does not stop
(a handler stuck in a call, say) cannot keep the process alive: `join` gives it
a deadline, then names it in the log with where it is, and moves on.
`DaemonPool` stands in for a ThreadPoolExecutor, whose worker threads are joined
without a timeout when the interpreter exits.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

log = logging.getLogger("woocom.local")

# How long stopping the whole runtime may wait for its threads, in all.
STOP_TIMEOUT = 10.0
# Each part still gets this much once the deadline has passed: a thread that is
# finishing is not reported as stuck because an earlier one used the time up.
MIN_JOIN_SECONDS = 0.5


def join(thread: threading.Thread, timeout: float) -> bool:
    """Wait at most `timeout` s for `thread`; False, and a log line naming it, if it runs on."""
    if thread.ident is None:  # never started
        return True
    thread.join(timeout)
    if not thread.is_alive():
        return True
    frame = sys._current_frames().get(thread.ident)
    where = "".join(traceback.format_stack(frame)[-4:]).rstrip() if frame else "  (unknown)"
    log.warning(
        "thread %s did not stop within %.1f s; leaving it behind (a daemon thread, it ends "
        "with the process). It is at:\n%s",
        thread.name,
        timeout,
        where,
    )
    return False


class Deadline:
    """The time left of a stop, shared by its parts; never less than MIN_JOIN_SECONDS."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(MIN_JOIN_SECONDS, self._end - time.monotonic())


class DaemonPool:
    """Up to `workers` daemon threads running submitted calls in turn.

    `stop` drops the calls not started yet and waits a bounded time for the running ones.
    """

    def __init__(self, workers: int, name: str) -> None:
        self._workers = workers
        self._name = name
        self._queue: queue.SimpleQueue[Callable[[], Any] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            if self._stopped:
                return
            if not self._threads:  # started on first use, so an idle stack has none
                for i in range(self._workers):
                    thread = threading.Thread(
                        target=self._work, name=f"{self._name}-{i}", daemon=True
                    )
                    thread.start()
                    self._threads.append(thread)
            self._queue.put(lambda: fn(*args))

    def _work(self) -> None:
        while (task := self._queue.get()) is not None:
            try:
                task()
            except Exception:
                log.exception("%s: a task raised", threading.current_thread().name)

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Drop pending calls, end the workers; False when one still runs after `timeout`."""
        with self._lock:
            self._stopped = True
            threads, self._threads = self._threads, []
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        for _ in threads:
            self._queue.put(None)
        deadline = Deadline(timeout)
        return all([join(thread, deadline.remaining()) for thread in threads])
