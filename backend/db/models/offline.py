"""Sync bookkeeping: devices, applied mutations, the change log, conflicts, blobs."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, Synced, utc_now
from backend.db.types import JSONDocument, choice


class Device(Base):
    """One install of the app (a browser profile), known by its client id."""

    __tablename__ = "devices"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Device clock minus server clock, in milliseconds, measured at each push.
    clock_offset_ms: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    schema: Mapped[int] = mapped_column(default=1)
    first_seen_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    # The latest push or pull, whichever came last.
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    last_push_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Kept to the minute (a pull writes nothing more often), except that a
    # pull after a push is always noted: it tells that the device received
    # the answers to what it sent.
    last_pull_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # What the install runs on, in a few words ("Android · Chrome"), so a
    # person can tell their phone from their tablet in a list.
    agent: Mapped[str | None] = mapped_column(sa.String(40), default=None)
    last_cursor: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    # Fingerprint of the scope the device last pulled (see ``ScopeSet``): a
    # change it sends to a record that has left that scope is kept as a
    # conflict, not refused as unknown.
    scope: Mapped[str | None] = mapped_column(sa.String(12), default=None)


class MutationStatus(enum.StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"
    REJECTED = "rejected"


class AppliedMutation(Base):
    """The outcome of each mutation a device sent, kept so that a resend
    gets the same answer as the first time (``duplicate``)."""

    __tablename__ = "applied_mutations"

    client_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("devices.client_id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    # Not unique: a device that reuses an id gets its mutation refused, and
    # that refusal is recorded too.
    mutation_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[MutationStatus] = mapped_column(choice(MutationStatus, "mutation_status"))
    code: Mapped[str | None] = mapped_column(sa.String(60), default=None)
    message: Mapped[str | None] = mapped_column(sa.Text, default=None)
    conflict_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    applied_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class ChangeLogEntry(Base):
    """One write to a synced table, appended by the database's triggers.

    Its id is the change number: the row's ``version`` and the pull cursor.
    ``data`` is the row as written, the base for three-way merges.
    """

    __tablename__ = "change_log"
    # Without AUTOINCREMENT SQLite may hand out a pruned number again.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[uuid.UUID]
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, default=None)
    changed_at: Mapped[dt.datetime | None] = mapped_column(
        server_default=sa.func.current_timestamp()
    )


class ConflictStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ConflictRecord(Synced, Base):
    """A change a device sent that did not take as sent.

    Both sides are kept with who made them, so a person can decide; the
    author's device receives the record by pull and says why in words.
    """

    __tablename__ = "conflicts"
    sync_type = "conflict"

    kind: Mapped[str] = mapped_column(sa.String(40))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    affair_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("affairs.id"), index=True, default=None
    )
    mutation_id: Mapped[uuid.UUID]
    mutation_name: Mapped[str] = mapped_column(sa.String(60))
    # The device's change as it was sent: resolving for the device replays it.
    mutation_args: Mapped[Any] = mapped_column(JSONDocument, nullable=True, default=None)
    client_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    server_author_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), default=None
    )
    server_value: Mapped[Any] = mapped_column(JSONDocument, nullable=True, default=None)
    device_value: Mapped[Any] = mapped_column(JSONDocument, nullable=True, default=None)
    server_version: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    base_version: Mapped[int | None] = mapped_column(sa.BigInteger, default=None)
    code: Mapped[str] = mapped_column(sa.String(60))
    details: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    status: Mapped[ConflictStatus] = mapped_column(
        choice(ConflictStatus, "conflict_status"), default=ConflictStatus.OPEN
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id"), default=None
    )
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    resolution: Mapped[str | None] = mapped_column(sa.String(20), default=None)


class PurgedEntity(Base):
    """A synced row removed for good after its tombstone outlived the
    horizon. Its id stays here, so that a device's late change to it is a
    conflict and never brings it back."""

    __tablename__ = "purged_entities"

    entity_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    purged_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class SyncHorizon(Base):
    """How far back a device's cursor may be: below ``purged_through`` some
    deletions are gone for good, so such a device starts again (reset)."""

    __tablename__ = "sync_horizon"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    purged_through: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    purged_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ScopeSet(Base):
    """What one person could see, by the records that decide it, named by
    its fingerprint. A device's cursor carries the fingerprint of the scope
    it holds; when the scope moves on, the two sets say what to add to the
    device and what to take away."""

    __tablename__ = "scope_sets"

    fingerprint: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    roots: Mapped[dict[str, list[str]]] = mapped_column(JSONDocument)
    touched_at: Mapped[dt.datetime] = mapped_column(default=utc_now)


class Blob(Base):
    """The bytes of a photo or a signature, named by their SHA-256.

    Devices upload them apart from the mutations that name them (PROTOCOL.md,
    blobs). They live in the database, not in files: the servers stay
    stateless behind a load balancer, one backup holds the records and their
    photos, and a blob commits in the same transaction as the changes that
    were waiting for it. Not synced: devices fetch the bytes by hash.
    """

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utc_now)
    created_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)


class BlobHolder(Base):
    """Who showed they hold a blob's bytes, by uploading them.

    Knowing a hash is not enough to see or use a photo: a person uses a
    blob in a change, or fetches it, only once they uploaded the same
    bytes themselves, or see a record naming it.
    """

    __tablename__ = "blob_holders"

    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(default=utc_now)
