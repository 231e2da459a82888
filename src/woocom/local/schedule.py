"""EventBridge schedule expressions, evaluated locally: `rate(...)` and `cron(...)`.

`woocom.config.check_schedule_expression` decides what is valid; this module
computes when an expression fires next (in UTC, as EventBridge does). The cron
dialect is EventBridge's: six fields (minutes hours day-of-month month
day-of-week year), day-of-week 1-7 = SUN-SAT, names (JAN, MON), ranges, lists,
steps, `L` (last day / last <weekday> of the month), `W` (nearest weekday) and
`#` (nth weekday of the month). Locally, `rate(N seconds)` is also accepted, so
tests and demos can run a schedule without waiting minutes.
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from woocom.config import check_schedule_expression
from woocom.local.threads import STOP_TIMEOUT, join

log = logging.getLogger("woocom.local")

_LOCAL_RATE = re.compile(r"^rate\((?P<n>[1-9][0-9]*) (?P<unit>seconds?)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400, "second": 1}
_MONTHS = {name.upper(): i for i, name in enumerate(calendar.month_abbr) if name}
_DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
# How far ahead to look before declaring that a cron expression never fires again.
_HORIZON_DAYS = 5 * 366


class Schedule(Protocol):
    @property
    def expression(self) -> str: ...

    def next_after(self, moment: datetime) -> datetime: ...


@dataclass(frozen=True)
class Rate:
    expression: str
    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.interval


def parse_schedule(expression: str) -> Schedule:
    """Parse a schedule expression; ValueError with the reason when it is not valid."""
    local = _LOCAL_RATE.match(expression)
    if local:
        return Rate(expression, timedelta(seconds=int(local["n"])))
    check_schedule_expression(expression)
    if expression.startswith("rate("):
        amount, unit = expression[5:-1].split(" ")
        return Rate(expression, timedelta(seconds=int(amount) * _UNITS[unit.rstrip("s")]))
    return Cron.parse(expression)


def _numbers(field: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    """Values of a cron field made of lists, ranges, steps and names."""
    values: set[int] = set()
    for part in field.split(","):
        spec, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if spec in ("*", "?"):
            start, end = low, high
        elif "-" in spec:
            first, last = spec.split("-")
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(spec, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a number or a name ({', '.join(names) or 'none'})")
    return int(text)


def _aws_weekday(day: date) -> int:
    return day.isoweekday() % 7 + 1  # SUN=1 .. SAT=7


def _nearest_weekday(year: int, month: int, day: int) -> int:
    """Day of month of the weekday nearest to `day`, never leaving the month (cron `W`)."""
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()  # MON=0
    if weekday == 5:  # Saturday: Friday, or Monday when Friday is in the previous month
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday, or Friday when Monday is in the next month
        return day + 1 if day < last else day - 2
    return day


@dataclass(frozen=True)
class Cron:
    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    day_matches: Callable[[date], bool]

    @classmethod
    def parse(cls, expression: str) -> Cron:
        minute, hour, dom, month, dow, year = expression[5:-1].split(" ")
        try:
            return cls(
                expression,
                frozenset(_numbers(minute, 0, 59, {})),
                frozenset(_numbers(hour, 0, 23, {})),
                frozenset(_numbers(month, 1, 12, _MONTHS)),
                frozenset(_numbers(year, 1970, 2199, {})),
                _day_of_month(dom) if dom != "?" else _day_of_week(dow),
            )
        except ValueError as exc:
            raise ValueError(f"{expression!r}: {exc}") from None

    def next_after(self, moment: datetime) -> datetime:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for offset in range(_HORIZON_DAYS):
            day = start.date() + timedelta(days=offset)
            if day.year not in self.years or day.month not in self.months:
                continue
            if not self.day_matches(day):
                continue
            earliest = start.time() if offset == 0 else time(0, 0)
            for hour in sorted(self.hours):
                for minute in sorted(self.minutes):
                    if time(hour, minute) >= earliest:
                        return datetime.combine(day, time(hour, minute), tzinfo=UTC)
        raise ValueError(f"{self.expression!r} does not fire in the next {_HORIZON_DAYS} days")


def _day_of_month(field: str) -> Callable[[date], bool]:
    if field == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if field == "LW":
        return lambda d: d.day == _nearest_weekday(d.year, d.month, 31)
    if field.endswith("W"):
        target = _value(field[:-1], {})
        return lambda d: d.day == _nearest_weekday(d.year, d.month, target)
    days = _numbers(field, 1, 31, {})
    return lambda d: d.day in days


def _day_of_week(field: str) -> Callable[[date], bool]:
    if "#" in field:
        weekday_text, nth_text = field.split("#")
        weekday, nth = _value(weekday_text, _DAYS), int(nth_text)
        return lambda d: _aws_weekday(d) == weekday and (d.day - 1) // 7 + 1 == nth
    if field.endswith("L") and field != "L":
        weekday = _value(field[:-1], _DAYS)
        return lambda d: (
            _aws_weekday(d) == weekday and d.day + 7 > calendar.monthrange(d.year, d.month)[1]
        )
    weekdays = _numbers("7" if field == "L" else field, 1, 7, _DAYS)
    return lambda d: _aws_weekday(d) in weekdays


@dataclass
class ScheduledJob:
    function: str
    schedule: Schedule
    next_run: datetime


class Scheduler:
    """Fires each job's callback at its schedule's times until stopped.

    `fire` must return quickly (the runtime hands the invocation to a worker
    thread): EventBridge invokes asynchronously, a slow job never delays another.
    """

    def __init__(
        self,
        jobs: list[tuple[str, Schedule]],
        fire: Callable[[str, datetime], None],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._now = now
        started = now()
        self.jobs: list[ScheduledJob] = []
        for name, schedule in jobs:
            first = _next_run(name, schedule, started)
            if first is not None:
                self.jobs.append(ScheduledJob(name, schedule, first))
        self._fire = fire
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        if self.jobs:
            self._thread.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> bool:
        """Stop and wait at most `timeout` s; False if the thread runs on."""
        self._stop.set()
        return join(self._thread, timeout)

    def _run(self) -> None:
        while self.jobs and not self._stop.is_set():
            job = min(self.jobs, key=lambda j: j.next_run)
            delay = (job.next_run - self._now()).total_seconds()
            if delay > 0:
                # Wake at least once a minute so a changed system clock cannot stall a job.
                self._stop.wait(min(delay, 60))
                continue
            self._fire(job.function, job.next_run)
            following = _next_run(job.function, job.schedule, max(job.next_run, self._now()))
            if following is None:
                self.jobs.remove(job)
            else:
                job.next_run = following


def _next_run(function: str, schedule: Schedule, after: datetime) -> datetime | None:
    """When `schedule` fires next; None, with a log line, once it never fires again.

    A cron expression with a year field runs out: that one job retires, the others go on.
    """
    try:
        return schedule.next_after(after)
    except ValueError as exc:
        log.warning("%s: schedule %s retired: %s", function, schedule.expression, exc)
        return None
