"""Wire types of time entries and timesheet weeks (mutator args included)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from backend.db.models.timesheets import MAX_MINUTES_PER_DAY
from backend.lib.time import parse_week

# ``\Z``, not ``$``: ``$`` also matches before a final newline.
Week = Annotated[str, Meta(pattern=r"\A\d{4}-W\d{2}\Z")]
Minutes = Annotated[int, Meta(ge=1, le=MAX_MINUTES_PER_DAY)]
Note = Annotated[str, Meta(max_length=2000)]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
ZoneName = Annotated[str, Meta(min_length=1, max_length=64)]
AwareTime = Annotated[dt.datetime, Meta(tz=True)]


def check_week(week: str) -> None:
    """A week that exists in the calendar (not W00, W99, or W53 of most years)."""
    try:
        parse_week(week)
    except ValueError as exc:
        raise ValueError(f"{week} is not a week of the calendar") from exc


class TimeEntryPut(msgspec.Struct, forbid_unknown_fields=True):
    """Create an entry (no ``base``) or edit one (``base`` = version seen)."""

    id: uuid.UUID
    affair_id: uuid.UUID
    work_date: dt.date
    minutes: Minutes
    service_order_id: uuid.UUID | None = None
    action_id: uuid.UUID | None = None
    starts_at: AwareTime | None = None
    ends_at: AwareTime | None = None
    tz: ZoneName | None = None
    note: Note | None = None


class TimeEntryDelete(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID


class WeekSubmit(msgspec.Struct, forbid_unknown_fields=True):
    week: Week

    def __post_init__(self) -> None:
        check_week(self.week)


class WeekApprove(msgspec.Struct, forbid_unknown_fields=True):
    user_id: uuid.UUID
    week: Week

    def __post_init__(self) -> None:
        check_week(self.week)


class WeekReject(msgspec.Struct, forbid_unknown_fields=True):
    user_id: uuid.UUID
    week: Week
    reason: Reason

    def __post_init__(self) -> None:
        check_week(self.week)


class WeekReopen(msgspec.Struct, forbid_unknown_fields=True):
    user_id: uuid.UUID
    week: Week

    def __post_init__(self) -> None:
        check_week(self.week)


class WeekQueueItem(msgspec.Struct):
    """A submitted week waiting for a decision, for the approval screen."""

    user_id: uuid.UUID
    user_name: str
    week: str
    status: str
    total_minutes: int
    submitted_at: dt.datetime | None
