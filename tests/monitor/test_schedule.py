"""Schedules: parsing cron expressions and intervals, whether a minute is due, the next run."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from dynaguard.monitor.schedule import MAX_MINUTES, Schedule, parse_cron, parse_interval

T = dt.datetime


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("1m", 1), ("15m", 15), (" 15 m ", 15), ("2h", 120), ("1d", 1440), ("366d", MAX_MINUTES)],
)
def test_intervals_are_whole_minutes(text: str, minutes: int) -> None:
    schedule = parse_interval(text)
    assert schedule == Schedule(minutes=minutes)
    assert schedule.describe() == f"every {minutes} min"


@pytest.mark.parametrize(
    "text", ["", "0m", "15", "m", "90s", "1w", "1h30m", "-5m", "1.5h", "15M", "367d", "٣m"]
)
def test_bad_intervals_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["*/5 * * * *", "0 9 * * 1-5", "30 2 1 * *", "0 0 * * sun"])
def test_five_field_cron_expressions_are_kept(text: str) -> None:
    schedule = parse_cron(text)
    assert schedule == Schedule(cron=text) and schedule.describe() == text


@pytest.mark.parametrize(
    "text", ["", "* * * *", "0 * * * * *", "@hourly", "60 * * * *", "* 24 * * *", "* * * * 8"]
)
def test_bad_cron_expressions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="five-field cron"):
        parse_cron(text)


def test_an_interval_is_due_on_multiples_of_itself_since_the_epoch() -> None:
    every = parse_interval("15m")
    due = [m for m in range(60) if every.due(T(2026, 3, 1, 10, m, 42))]
    assert due == [0, 15, 30, 45]
    assert parse_interval("1d").due(T(2026, 3, 1, 0, 0)) and not parse_interval("1d").due(
        T(2026, 3, 1, 12, 0)
    )


def test_a_cron_schedule_is_due_when_it_matches_the_minute() -> None:
    weekdays = parse_cron("0 9 * * 1-5")
    assert weekdays.due(T(2026, 3, 2, 9, 0, 59))  # a Monday, any second of the minute
    assert not weekdays.due(T(2026, 3, 2, 9, 1)) and not weekdays.due(T(2026, 3, 1, 9, 0))


@pytest.mark.parametrize(
    ("schedule", "at", "expected"),
    [
        (Schedule(minutes=15), T(2026, 3, 1, 10, 7, 30), T(2026, 3, 1, 10, 15)),
        # Strictly after: a due minute's next run is one interval later.
        (Schedule(minutes=15), T(2026, 3, 1, 10, 15, 1), T(2026, 3, 1, 10, 30)),
        (Schedule(minutes=120), T(2026, 3, 1, 23, 10), T(2026, 3, 2, 0, 0)),
        (Schedule(minutes=1440), T(2026, 12, 31, 0, 0), T(2027, 1, 1, 0, 0)),
        (Schedule(cron="*/5 * * * *"), T(2026, 3, 1, 10, 5, 59), T(2026, 3, 1, 10, 10)),
        (Schedule(cron="0 9 * * 1-5"), T(2026, 3, 6, 9, 30), T(2026, 3, 9, 9, 0)),  # Fri->Mon
        (Schedule(cron="30 2 29 2 *"), T(2026, 3, 1), T(2028, 2, 29, 2, 30)),
    ],
)
def test_next_run_is_the_first_due_minute_after(
    schedule: Schedule, at: dt.datetime, expected: dt.datetime
) -> None:
    assert schedule.next_after(at) == expected
    assert schedule.due(expected)


def test_the_longest_interval_comes_round_within_a_year() -> None:
    at = T(2026, 3, 1, 10, 7)
    upcoming = Schedule(minutes=MAX_MINUTES).next_after(at)
    assert at < upcoming <= at + dt.timedelta(days=366)
    assert Schedule(minutes=MAX_MINUTES).due(upcoming)


@pytest.fixture(params=["Asia/Kolkata", "America/New_York"])
def local_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TZ", str(request.param))
    time.tzset()
    yield str(request.param)
    monkeypatch.undo()
    time.tzset()


def test_schedules_do_not_depend_on_the_machines_time_zone(local_zone: str) -> None:
    # Regression: intervals counted minutes with ``timestamp()``, which reads a naive (UTC)
    # datetime in the local zone, so schedulers in two zones picked different minutes (and
    # run ids) for one target.
    assert time.localtime(0).tm_gmtoff != 0, local_zone
    assert parse_interval("1d").due(T(2026, 1, 1, 0, 0))
    assert parse_interval("2h").next_after(T(2026, 1, 1, 0, 10)) == T(2026, 1, 1, 2, 0)
    assert parse_interval("1d").next_after(T(2026, 7, 1, 12, 0)) == T(2026, 7, 2, 0, 0)
    assert parse_cron("0 9 * * *").next_after(T(2026, 7, 1, 12, 0)) == T(2026, 7, 2, 9, 0)
