"""Wire types of people and sign-in."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

# Spaces around an address are forgiven (phones add them); inside, none.
EMAIL_PATTERN = r"\A\s*[^@\s]+@[^@\s]+\s*\Z"
Email = Annotated[str, Meta(min_length=3, max_length=254, pattern=EMAIL_PATTERN)]
Password = Annotated[str, Meta(min_length=1, max_length=200)]


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: Email
    password: Password


class MeResponse(msgspec.Struct):
    id: uuid.UUID
    name: str
    email: str | None
    role: str
    team_id: uuid.UUID | None
    language: str | None
    time_zone: str
    # Whether this person decides on anybody's time (``policy.decides_on_time``:
    # those who oversee people, and anybody's named approver), for the app's menu.
    supervises: bool
    # How lines of time reach whoever approves them ("team" or "affair"),
    # so the app offers a decider only the lines that are theirs.
    time_approval: str


class MeUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """What people may change about themselves. A null language follows
    the browser's."""

    language: Literal["en", "fr"] | None


Skill = Annotated[str, Meta(min_length=1, max_length=60)]
# A year at most: planning further ahead is guessing.
MAX_WINDOW_DAYS = 366


class AvailabilityRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Who could give ``days`` of work to an affair between two dates."""

    affair_id: uuid.UUID
    days: Annotated[float, Meta(gt=0, le=MAX_WINDOW_DAYS)]
    first_day: dt.date
    last_day: dt.date
    skills: Annotated[list[Skill], Meta(max_length=20)] = []
    people: Annotated[list[uuid.UUID], Meta(max_length=1000)] | None = None


class PersonAvailability(msgspec.Struct):
    user_id: uuid.UUID
    name: str
    free_minutes: int
    free_hours: float


class AvailabilityOut(msgspec.Struct):
    affair_id: uuid.UUID
    # A day of work is an average working day of the company's week.
    needed_minutes: int
    # Those with enough free time in the window, the most free first.
    people: list[PersonAvailability]


# -- calendars: working weeks, holidays, absences, skills ------------------------------

# "08:00" or "17:30"; 24:00 is not a time of day (a day ends at 23:59).
ClockTime = Annotated[str, Meta(pattern=r"\A([01][0-9]|2[0-3]):[0-5][0-9]\Z")]
HolidayName = Annotated[str, Meta(min_length=1, max_length=120)]
AbsenceReason = Annotated[str, Meta(max_length=120)]


class WorkingPeriod(msgspec.Struct, forbid_unknown_fields=True):
    """From ``starts`` to ``ends``, local time, on ``weekday`` (0 = Monday)."""

    weekday: Annotated[int, Meta(ge=0, le=6)]
    starts: ClockTime
    ends: ClockTime


class WorkingWeekPut(msgspec.Struct, forbid_unknown_fields=True):
    """A working week. For a person, no period at all means they work the
    company's week again; for the company, the product's default week."""

    periods: Annotated[list[WorkingPeriod], Meta(max_length=28)]


class WorkingWeekOut(msgspec.Struct):
    person_id: uuid.UUID | None
    # The person has a week of their own (else the company's is shown).
    own: bool
    periods: list[WorkingPeriod]


class HolidayPut(msgspec.Struct, forbid_unknown_fields=True):
    name: HolidayName


class HolidayOut(msgspec.Struct):
    day: dt.date
    name: str


class AbsenceIn(msgspec.Struct, forbid_unknown_fields=True):
    user_id: uuid.UUID
    first_day: dt.date
    last_day: dt.date
    part: Literal["day", "morning", "afternoon"] = "day"
    reason: AbsenceReason | None = None


class AbsenceOut(msgspec.Struct):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    first_day: dt.date
    last_day: dt.date
    part: str
    reason: str | None


class SkillsPut(msgspec.Struct, forbid_unknown_fields=True):
    skills: Annotated[list[Skill], Meta(max_length=50)]


class PersonSkillsOut(msgspec.Struct):
    user_id: uuid.UUID
    name: str
    skills: list[str]


# -- hourly rates ---------------------------------------------------------------------

Activity = Annotated[str, Meta(max_length=40)]


class RateIn(msgspec.Struct, forbid_unknown_fields=True):
    """A person's hourly cost from ``valid_from`` on; for one activity, or
    for any (``""``)."""

    valid_from: dt.date
    cents_per_hour: Annotated[int, Meta(ge=0, le=10_000_000)]
    activity: Activity = ""


class RateOut(msgspec.Struct):
    id: uuid.UUID
    valid_from: dt.date
    cents_per_hour: int
    activity: str


class TimeApproverPut(msgspec.Struct, forbid_unknown_fields=True):
    """Who approves the person's time besides the administrators; null: the
    company's route alone."""

    approver_id: uuid.UUID | None


class TimeApproverOut(msgspec.Struct):
    person_id: uuid.UUID
    approver_id: uuid.UUID | None
    approver_name: str | None
