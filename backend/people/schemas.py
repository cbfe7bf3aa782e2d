"""Wire types of people and sign-in."""

from __future__ import annotations

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


class MeUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """What people may change about themselves. A null language follows
    the browser's."""

    language: Literal["en", "fr"] | None
