"""When a target is due: a five-field cron expression or an interval in whole minutes.

Huey's scheduler asks each periodic task once a minute whether it is due at that minute, so a
schedule is a predicate over minutes; ``next_after`` answers ``dynaguard monitor status``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from croniter import croniter

_INTERVAL = re.compile(r"^([0-9]+)\s*([mhd])$")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}
MAX_MINUTES = 366 * 1440
"""The longest interval: a year (a longer one would overflow the dates ``next_after`` makes)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A cron expression (``cron``) or every ``minutes`` minutes since the epoch (``cron`` empty)."""

    cron: str = ""
    minutes: int = 0

    def due(self, at: dt.datetime) -> bool:
        """Whether a run is due in the minute of ``at`` (naive UTC)."""
        minute = at.replace(second=0, microsecond=0)
        if self.cron:
            return bool(croniter.match(self.cron, minute))
        return _epoch_minutes(minute) % self.minutes == 0

    def next_after(self, at: dt.datetime) -> dt.datetime:
        """The first due minute after ``at`` (naive UTC)."""
        minute = at.replace(second=0, microsecond=0)
        if self.cron:
            found: dt.datetime = croniter(self.cron, minute).get_next(dt.datetime)
            return found
        wait = self.minutes - _epoch_minutes(minute) % self.minutes
        return minute + dt.timedelta(minutes=wait)

    def describe(self) -> str:
        return self.cron or f"every {self.minutes} min"


def _epoch_minutes(minute: dt.datetime) -> int:
    # NOTE: the naive datetime is UTC; ``timestamp()`` would read it in the machine's zone, and
    # schedulers in two zones would then pick different minutes (and run ids) for one target.
    return int(minute.replace(tzinfo=dt.UTC).timestamp()) // 60


def parse_cron(text: str) -> Schedule:
    """Five fields (minute hour day month weekday); raises ValueError."""
    if len(text.split()) != 5 or not croniter.is_valid(text):
        raise ValueError(f"{text!r} is not a five-field cron expression such as '*/5 * * * *'")
    return Schedule(cron=text)


def parse_interval(text: str) -> Schedule:
    """``15m``, ``2h``, ``1d``: whole minutes, since Huey's scheduler ticks once a minute."""
    match = _INTERVAL.match(text.strip())
    minutes = int(match.group(1)) * _UNIT_MINUTES[match.group(2)] if match else 0
    if not 0 < minutes <= MAX_MINUTES:
        raise ValueError(f"{text!r} is not an interval from '1m' to '366d' such as '15m' or '2h'")
    return Schedule(minutes=minutes)
