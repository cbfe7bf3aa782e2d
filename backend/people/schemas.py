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
    # Roles whose screens this person may open, for the app's menu.
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
