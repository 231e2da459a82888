"""When schedule expressions fire: EventBridge's rate() and cron() dialect, in UTC."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest

from woocom.local.client import wait_for
from woocom.local.schedule import Scheduler, parse_schedule

# A Wednesday.
NOW = datetime(2026, 11, 25, 2, 30, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(1 minute)", NOW + timedelta(minutes=1)),
        ("rate(5 minutes)", NOW + timedelta(minutes=5)),
        ("rate(2 hours)", NOW + timedelta(hours=2)),
        ("rate(1 day)", NOW + timedelta(days=1)),
        ("rate(10 seconds)", NOW + timedelta(seconds=10)),  # local-only extension
        ("cron(0 3 * * ? *)", datetime(2026, 11, 25, 3, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", datetime(2026, 11, 25, 2, 45, tzinfo=UTC)),
        ("cron(30 2 * * ? *)", datetime(2026, 11, 26, 2, 30, tzinfo=UTC)),
        ("cron(0 9 ? * MON-FRI *)", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),
        ("cron(0 9 ? * SAT,SUN *)", datetime(2026, 11, 28, 9, 0, tzinfo=UTC)),
        ("cron(0 9 ? * 1 *)", datetime(2026, 11, 29, 9, 0, tzinfo=UTC)),  # 1 = Sunday
        ("cron(0 0 L * ? *)", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("cron(0 0 ? * 6#3 *)", datetime(2026, 12, 18, 0, 0, tzinfo=UTC)),  # 3rd Friday
        ("cron(0 0 ? * 2L *)", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),  # last Monday
        ("cron(0 0 15W * ? *)", datetime(2026, 12, 15, 0, 0, tzinfo=UTC)),
        ("cron(0 0 1W * ? *)", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        ("cron(0 0 LW * ? *)", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("cron(0 12 1 JAN,JUL ? *)", datetime(2027, 1, 1, 12, 0, tzinfo=UTC)),
        ("cron(0 0 1 1 ? 2030)", datetime(2030, 1, 1, 0, 0, tzinfo=UTC)),
        ("cron(0 8-10/2 * * ? *)", datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),
    ],
)
def test_next_run(expression: str, expected: datetime) -> None:
    assert parse_schedule(expression).next_after(NOW) == expected


def test_weekday_nearest_to_a_saturday_first_stays_in_the_month() -> None:
    # 1 Aug 2026 is a Saturday: the nearest weekday inside August is Monday the 3rd.
    schedule = parse_schedule("cron(0 0 1W * ? *)")
    assert schedule.next_after(datetime(2026, 7, 31, tzinfo=UTC)).day == 3


def test_weekday_nearest_to_a_sunday_month_end_stays_in_the_month() -> None:
    # 31 May 2026 is a Sunday: Friday the 29th.
    schedule = parse_schedule("cron(0 0 31W * ? *)")
    assert schedule.next_after(datetime(2026, 5, 1, tzinfo=UTC)).day == 29


def test_successive_runs_advance() -> None:
    schedule = parse_schedule("cron(0/20 * * * ? *)")
    first = schedule.next_after(NOW)
    assert schedule.next_after(first) == first + timedelta(minutes=20)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("rate(0 minutes)", "must look like"),
        ("rate(1 minutes)", "singular"),
        ("cron(0 3 * * *)", "6 fields"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(61 3 * * ? *)", "outside"),
        ("cron(0 3 * FOO ? *)", "not a number or a name"),
        ("cron(0 0 1 1 ? 1999)", "does not fire"),
        ("every 5 minutes", "rate"),
    ],
)
def test_invalid_expressions_say_why(expression: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_schedule(expression).next_after(NOW)


# --- the scheduler -----------------------------------------------------------------------


class _Clock:
    """A clock that moves ten minutes on every reading: the scheduler never waits for real."""

    def __init__(self, start: datetime) -> None:
        self.moment = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.moment += timedelta(minutes=10)
            return self.moment


def test_a_cron_that_runs_out_retires_alone_and_the_other_schedules_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fired: list[str] = []
    # Last run: 2030-12-31 23:00; the clock starts just before it.
    clock = _Clock(datetime(2030, 12, 31, 22, 0, tzinfo=UTC))
    scheduler = Scheduler(
        [
            ("yearly", parse_schedule("cron(0 23 31 12 ? 2030)")),
            ("ticking", parse_schedule("rate(1 minute)")),
        ],
        lambda name, when: fired.append(name),
        now=clock,
    )
    caplog.set_level(logging.WARNING, logger="woocom.local")
    scheduler.start()
    try:
        wait_for(
            lambda: "yearly" in fired and fired[fired.index("yearly") :].count("ticking") >= 3,
            timeout=30,
            what="the other schedule to fire after the cron ran out",
        )
    finally:
        assert scheduler.stop()
    assert fired.count("yearly") == 1
    assert [job.function for job in scheduler.jobs] == ["ticking"]
    assert "yearly: schedule cron(0 23 31 12 ? 2030) retired" in caplog.text


def test_a_cron_already_run_out_at_start_is_retired_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="woocom.local")
    scheduler = Scheduler(
        [("past", parse_schedule("cron(0 12 1 1 ? 2020)"))],
        lambda name, when: None,
        now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert scheduler.jobs == []
    assert "past: schedule cron(0 12 1 1 ? 2020) retired" in caplog.text
