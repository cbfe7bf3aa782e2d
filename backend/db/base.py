"""Declarative base and the columns every synced table shares."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backend.db.types import UTCDateTime
from sync.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UTCDateTime(),
        uuid.UUID: sa.Uuid(),
        str: sa.String(),
    }


class Synced:
    """A table whose rows reach devices through the change log.

    ``version`` is the change number of the row's last write. No Python code
    sets it: the database's change-log triggers stamp it on every insert and
    update, whatever the path (service, import, admin, hand-run SQL), so no
    writer can forget to publish a change. ``deleted_at`` is the tombstone:
    synced rows are never deleted while a device may still hold them.
    """

    sync_type: ClassVar[str]

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    version: Mapped[int | None] = mapped_column(
        sa.BigInteger,
        server_default=sa.FetchedValue(),
        server_onupdate=sa.FetchedValue(),
        index=True,
    )
    deleted_at: Mapped[dt.datetime | None] = mapped_column(default=None)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
