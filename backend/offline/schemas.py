"""Wire types of conflict review and blobs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

# A blob's name: the SHA-256 of its bytes, in lower-case hex.
BlobHash = Annotated[str, Meta(pattern=r"^[0-9a-f]{64}$")]


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


class BlobOut(msgspec.Struct):
    """What the server holds under a hash, answered to an upload.

    ``released``: changes that were waiting for this blob and applied now.
    """

    sha256: str
    content_type: str
    size: int
    created: bool
    released: int = 0


class DeviceOut(msgspec.Struct):
    """One install of the app as a supervisor sees it: whose, since when,
    last heard from when, and whether it is still the one in use."""

    client_id: uuid.UUID
    user_id: uuid.UUID
    user_name: str
    # "Android · Chrome", when the browser said so.
    agent: str | None
    status: Literal["active", "silent", "replaced"]
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    # How many changes the server received from it, in all.
    last_seq: int
    # It sent changes and never pulled afterwards.
    unconfirmed: bool
    open_conflicts: int
    # The same person's device that came after this one, and when.
    replaced_by: uuid.UUID | None
    replaced_at: dt.datetime | None


class DeviceList(msgspec.Struct):
    silent_after_days: int
    devices: list[DeviceOut]
