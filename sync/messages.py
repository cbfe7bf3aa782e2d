"""Wire messages of the sync protocol, version 1 (see docs/sync.md).

These structs are the contract between devices and the server; decoding a
request through them is the validation. ``Mutation.args`` stays raw here
and is decoded by the mutator's own args struct, so a bad argument of one
mutation rejects that mutation only.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

PROTOCOL_VERSION = 1

# Limits of one push (answered 413 above them) and of one pull page.
MAX_MUTATIONS_PER_PUSH = 500
MAX_PUSH_BYTES = 1024 * 1024
MAX_PULL_LIMIT = 1000
MAX_NAME_LENGTH = 60
MAX_TZ_LENGTH = 64

Seq = Annotated[int, Meta(ge=1, le=2**62)]
AwareTime = Annotated[dt.datetime, Meta(tz=True)]
Version = Annotated[int, Meta(ge=0, le=2**62)]
MutationStatus = Literal["applied", "duplicate", "conflict", "rejected"]


class Mutation(msgspec.Struct, forbid_unknown_fields=True):
    """One change made on a device, in the order the device made it."""

    seq: Seq
    id: uuid.UUID
    name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
    args: msgspec.Raw
    at: AwareTime
    base: Version | None = None
    tz: Annotated[str, Meta(max_length=MAX_TZ_LENGTH)] | None = None


class PushRequest(msgspec.Struct, forbid_unknown_fields=True):
    protocol: int
    schema: int
    client_id: uuid.UUID
    sent_at: AwareTime
    mutations: list[Mutation]
    app_build: Annotated[str, Meta(max_length=40)] | None = None


class MutationResult(msgspec.Struct, omit_defaults=True):
    """What became of one mutation. A resend gets ``duplicate`` with the
    first outcome in ``original`` and the same code and conflict id."""

    seq: int
    status: MutationStatus
    code: str | None = None
    message: str | None = None
    conflict_id: uuid.UUID | None = None
    original: MutationStatus | None = None
    details: dict[str, Any] | None = None


class PushResponse(msgspec.Struct):
    last_seq: int
    checkpoint: int
    results: list[MutationResult]


class PullRequest(msgspec.Struct, forbid_unknown_fields=True):
    protocol: int
    schema: int
    client_id: uuid.UUID
    cursor: Annotated[str, Meta(max_length=40)] | None = None
    limit: Annotated[int, Meta(ge=1, le=MAX_PULL_LIMIT)] = MAX_PULL_LIMIT


class Change(msgspec.Struct, omit_defaults=True):
    op: Literal["put", "del"]
    type: str
    id: uuid.UUID
    version: int
    data: dict[str, Any] | None = None


class PullResponse(msgspec.Struct):
    cursor: str
    has_more: bool
    reset: bool
    last_seq: int
    changes: list[Change]


class Cursor(msgspec.Struct, frozen=True):
    """Where a device stands: the change number it has everything up to,
    and a fingerprint of what its person could see then."""

    change: int
    scope: str | None = None


def encode_cursor(cursor: Cursor) -> str:
    """The cursor as opaque text: ``c5230.3fa9c01b77e2``."""
    text = f"c{cursor.change}"
    return f"{text}.{cursor.scope}" if cursor.scope else text


_CURSOR = re.compile(r"\Ac([0-9]{1,18})(?:\.([0-9a-f]{12}))?\Z")


def decode_cursor(text: str | None) -> Cursor | None:
    """The cursor in ``text``; None for a first pull or a cursor this
    server did not make (the device then gets a reset)."""
    match = _CURSOR.match(text or "")
    return Cursor(int(match[1]), match[2]) if match else None
