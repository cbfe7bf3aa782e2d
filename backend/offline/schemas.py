"""Wire types of conflict review."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec


class ConflictOut(msgspec.Struct):
    """A conflict as a supervisor reviews it: both sides, who, and why."""

    id: uuid.UUID
    kind: str
    code: str
    message: str
    status: str
    entity_type: str
    entity_id: uuid.UUID | None
    affair_id: uuid.UUID | None
    mutation_name: str
    author_id: uuid.UUID
    author_name: str
    server_author_name: str | None
    device_value: Any
    server_value: Any
    created_at: dt.datetime
    resolution: str | None
    resolved_by_name: str | None
    resolved_at: dt.datetime | None


class ResolveRequest(msgspec.Struct, forbid_unknown_fields=True):
    keep: Literal["server", "device"]


class ConflictResolveArgs(msgspec.Struct, forbid_unknown_fields=True):
    conflict_id: uuid.UUID
    keep: Literal["server", "device"]
