"""Calendar weeks, local dates and UTC instants.

Instants are stored in UTC; a time entry's ``work_date`` is the local
calendar date of the person who worked, so it never moves when clocks
change. Weeks are ISO weeks written ``2026-W49``.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEK_PATTERN = re.compile(r"\A(\d{4})-W(\d{2})\Z")
DEFAULT_ZONE = "Europe/Paris"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(instant: dt.datetime) -> dt.datetime:
    """An aware instant in UTC; a naive one is taken as UTC already."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(dt.UTC)


def week_of(day: dt.date) -> str:
    """The ISO week holding ``day``: ``2026-W49``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(week: str) -> tuple[dt.date, dt.date]:
    """First (Monday) and last (Sunday) day of an ISO week, or ValueError."""
    match = WEEK_PATTERN.match(week)
    if match is None:
        raise ValueError("week must look like 2026-W49")
    year, number = int(match[1]), int(match[2])
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
        return monday, monday + dt.timedelta(days=6)
    except (ValueError, OverflowError) as exc:
        raise ValueError("no such week in the calendar") from exc


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``, or ValueError when the name is unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("unknown time zone") from exc


# The days a record of the company may name: earlier or later is a typing
# slip or a wrong clock, and would make years of visits or a voucher that
# never ends.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)
DAY_OUT_OF_RANGE = "a day between 2000 and 2100 expected"


def day_outside(day: dt.date | None) -> bool:
    """Is ``day`` outside the days a record may name?"""
    return day is not None and not EARLIEST_DAY <= day <= LATEST_DAY
