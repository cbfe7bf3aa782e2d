"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """An instant, stored in UTC and always read back aware.

    SQLite keeps no time zone; PostgreSQL's ``timestamptz`` does. Both are
    written in UTC and returned with ``tzinfo=UTC`` so comparisons never mix
    naive and aware values.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be aware (UTC)")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        instant = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(instant, dt.datetime)
        return (
            instant.replace(tzinfo=dt.UTC) if instant.tzinfo is None else instant.astimezone(dt.UTC)
        )


def uuid_text(stored: str) -> str:
    """A UUID as SQLite stores it (its 32 hex digits, lowercase), as
    ``str(uuid)`` writes it, without making a ``uuid.UUID`` on the way:
    reads that only send UUIDs on as text (a pull) spent a tenth of their
    time on that. Any other form (a hand-written row) is read the slow way.
    """
    if len(stored) != 32 or stored != stored.lower():
        return str(uuid.UUID(stored))
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


JSONDocument = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def choice(enum_type: type[enum.StrEnum], name: str) -> sa.Enum:
    """A text column limited to the enum's values by a database CHECK.

    The check matters because some writers bypass the ORM (imports in bulk,
    a hand-run SQL fix): a bad value must fail at write time, not at read.
    """
    return sa.Enum(
        enum_type,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_type) + 4,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
