"""Wire types of time entries and timesheet weeks (mutator args included)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

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
# What kind of work, in a few free words (an hourly rate may name it).
Activity = Annotated[str, Meta(min_length=1, max_length=40)]


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
    # Left out: the entry keeps the activity it has (a device that knows
    # nothing of activities never erases one); null clears it.
    activity: Activity | msgspec.UnsetType | None = msgspec.UNSET


class TimeEntryDelete(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID


class TimeEntryApprove(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID


def check_reason(reason: str) -> None:
    """A rejection says why: spaces alone say nothing to its reader."""
    if not reason.strip():
        raise ValueError("a reason is needed")


class TimeEntryReject(msgspec.Struct, forbid_unknown_fields=True):
    id: uuid.UUID
    reason: Reason

    def __post_init__(self) -> None:
        check_reason(self.reason)


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
        check_reason(self.reason)


class WeekReopen(msgspec.Struct, forbid_unknown_fields=True):
    user_id: uuid.UUID
    week: Week

    def __post_init__(self) -> None:
        check_week(self.week)


class Reminder(msgspec.Struct, omit_defaults=True):
    """A week that wants something of its person: submitted (it holds
    time and was never sent), or sent again (it was rejected, or a line
    of it was: ``entry_rejected`` names the line)."""

    kind: Literal["week_not_submitted", "week_rejected", "entry_rejected"]
    user_id: uuid.UUID
    user_name: str
    week: str
    minutes: int
    decided_by_name: str | None = None
    decided_at: dt.datetime | None = None
    reason: str | None = None
    entry_id: uuid.UUID | None = None
    work_date: dt.date | None = None
    affair_code: str | None = None


class RemindersOut(msgspec.Struct):
    reminders: list[Reminder]


class ActivitiesOut(msgspec.Struct):
    """The words of the activities in use, sorted; never what they cost."""

    activities: list[str]


class QueueLine(msgspec.Struct):
    """A line waiting for a decision. ``state``: pending, changed (since
    approved: ``approved_minutes`` says how long it was then) or rejected
    (and sent again); ``flags``: long_day, weekend, closed_affair."""

    id: uuid.UUID
    user_id: uuid.UUID
    user_name: str
    week: str
    affair_id: uuid.UUID
    affair_code: str
    affair_title: str
    work_date: dt.date
    minutes: int
    activity: str | None
    note: str | None
    state: str
    approved_minutes: int | None
    decision_reason: str | None
    flags: list[str]


class QueueGroup(msgspec.Struct):
    """The waiting lines of one person or one affair, with their total."""

    id: uuid.UUID
    name: str
    minutes: int
    flags: list[str]
    lines: list[QueueLine]


class QueueWeek(msgspec.Struct):
    user_id: uuid.UUID
    user_name: str
    week: str
    minutes: int
    # Of which waiting for this decider.
    waiting_minutes: int


class QueueOut(msgspec.Struct):
    by: str
    route: str
    minutes: int
    groups: list[QueueGroup]
    weeks: list[QueueWeek]


Skill = Annotated[str, Meta(min_length=1, max_length=60)]
Title = Annotated[str, Meta(min_length=1, max_length=255)]
# A year of working time at most for one action.
PlannedMinutes = Annotated[int, Meta(ge=1, le=366 * MAX_MINUTES_PER_DAY)]
MAX_ACTIONS_PLANNED = 2000


class ActionToPlan(msgspec.Struct, forbid_unknown_fields=True):
    """An action to place: an existing one (``action_id``; what is left out
    is read from it) or a new one on ``affair_id``."""

    action_id: uuid.UUID | None = None
    affair_id: uuid.UUID | None = None
    title: Title | None = None
    minutes: PlannedMinutes | None = None
    skills: Annotated[list[Skill], Meta(max_length=20)] | None = None
    earliest: dt.date | None = None
    due: dt.date | None = None


class ProposalRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Plan ``actions`` from ``first_day`` on, among ``people`` (or every
    active technician, employee and supervisor)."""

    first_day: dt.date
    actions: Annotated[list[ActionToPlan], Meta(min_length=1, max_length=MAX_ACTIONS_PLANNED)]
    people: Annotated[list[uuid.UUID], Meta(max_length=1000)] | None = None


class Slot(msgspec.Struct):
    starts_at: dt.datetime
    ends_at: dt.datetime


class ProposalItem(msgspec.Struct):
    """One action of a proposal: who and when, or why not."""

    key: str
    action_id: uuid.UUID
    new: bool
    affair_id: uuid.UUID
    title: str
    minutes: int
    skills: list[str]
    earliest: dt.date
    due: dt.date
    met: bool
    assignee_id: uuid.UUID | None = None
    assignee_name: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    slots: list[Slot] = []
    reason: str | None = None
    message: str | None = None
    details: dict[str, Any] = {}


class ProposalOut(msgspec.Struct):
    id: uuid.UUID
    made_at: dt.datetime
    first_day: dt.date
    met: int
    not_met: int
    items: list[ProposalItem]
    accepted: list[str]


class AcceptRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The keys of the items accepted; none given: every item met."""

    keys: (
        Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=MAX_ACTIONS_PLANNED)]
        | None
    ) = None


class Skipped(msgspec.Struct):
    key: str
    reason: str


class AcceptOut(msgspec.Struct):
    proposal_id: uuid.UUID
    created: list[uuid.UUID]
    updated: list[uuid.UUID]
    unchanged: list[uuid.UUID]
    skipped: list[Skipped]


class ActionToSchedule(msgspec.Struct):
    """An open action a proposal can place: what the planning screen lists."""

    id: uuid.UUID
    affair_id: uuid.UUID
    affair_code: str
    title: str
    minutes: int
    due: dt.date
    skills: list[str]
    assignee_name: str | None = None
    starts_at: dt.datetime | None = None


class ActionsToScheduleOut(msgspec.Struct):
    actions: list[ActionToSchedule]
    # Every skill some active person has: what an availability search can ask.
    skills: list[str]
