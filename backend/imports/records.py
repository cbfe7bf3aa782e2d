"""Writing imported records so that a repeat import writes nothing.

Every write to a synced table stamps a new version and appends to the
change log, and devices download what changed. So an importer never
writes a row as it already is: it loads the rows its records name,
compares the fields it owns, and inserts or updates only what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import Base
from backend.imports.report import ImportReport, RowNote

logger = structlog.get_logger()

# Keys per IN (...) list: far below SQLite's and PostgreSQL's parameter limits.
LOOKUP_CHUNK = 500


class SkipRow(Exception):
    """A source row that cannot be imported; the message says why in plain words."""


@dataclass
class Record:
    """One row to write, from one source row.

    ``key`` is the primary key (a tuple for a composite one). ``values``
    are the fields the import owns, compared on every import; ``first``
    are set when the row is inserted and left alone afterwards.
    """

    table: str
    rowid: int
    key: Any
    values: dict[str, Any]
    first: dict[str, Any] = field(default_factory=dict)


Refusal = Callable[[Record], str | None]


class RecordWriter:
    """Inserts new records and updates changed ones, in one session."""

    def __init__(self, session: AsyncSession, report: ImportReport) -> None:
        self.session = session
        self.report = report

    async def write(
        self,
        kind: str,
        model: type[Base],
        records: list[Record],
        *,
        unique: str | None = None,
        locked: Refusal | None = None,
    ) -> list[Record]:
        """Write ``records``; answer those now in the database.

        Skipped, with a reason in the report: records whose row was
        deleted (tombstoned) in Affaires; with ``unique``, the name of a
        column such as a code, records whose value another row holds or
        an earlier record claims; with ``locked``, records it refuses
        among those that would be inserted or changed. Counts go to the
        report under ``kind``.
        """
        counts = self.report.of(kind)
        records = [self.fit(model, record) for record in records]
        if unique is not None:
            records = await self.without_taken(model, records, unique)
        existing = await self.load(model, [record.key for record in records])

        kept: list[Record] = []
        for record in records:
            current = existing.get(record.key)
            if getattr(current, "deleted_at", None) is not None:
                # Someone deleted it in Affaires: an import does not bring it back.
                reason = "deleted in Affaires since an earlier import: left deleted"
                self.report.skipped.append(RowNote(record.table, record.rowid, reason))
                continue

            changed = {
                name: value
                for name, value in record.values.items()
                if current is None or getattr(current, name) != value
            }
            refusal = locked(record) if locked is not None and changed else None
            if refusal is not None:
                self.report.skipped.append(RowNote(record.table, record.rowid, refusal))
                continue

            if current is None:
                key_fields = _key_fields(model, record.key)
                self.session.add(model(**key_fields, **record.first, **record.values))
                counts.imported += 1
            elif changed:
                for name, value in changed.items():
                    setattr(current, name, value)
                counts.updated += 1
            else:
                counts.unchanged += 1
            kept.append(record)

        # A flush per kind sends the inserts in the order the caller wrote
        # the kinds, which is the foreign keys' order.
        await self.session.flush()
        logger.debug(
            "import.kind",
            kind=kind,
            imported=counts.imported,
            updated=counts.updated,
            unchanged=counts.unchanged,
        )
        return kept

    async def owners(self, model: type[Base], column: str, values: Iterable[Any]) -> dict[Any, Any]:
        """The primary key of the row holding each of ``values`` in ``column``."""
        attribute = getattr(model, column)
        primary_key = sa.inspect(model).primary_key[0]
        owners: dict[Any, Any] = {}
        for chunk in in_chunks([value for value in set(values) if value is not None]):
            rows = await self.session.execute(
                sa.select(attribute, primary_key).where(attribute.in_(chunk))
            )
            owners.update((value, key) for value, key in rows)
        return owners

    def fit(self, model: type[Base], record: Record) -> Record:
        """Cut text longer than its column (PostgreSQL would refuse it), noting it."""
        limits = _text_limits(model)
        for values in (record.values, record.first):
            for name, value in values.items():
                limit = limits.get(name)
                if isinstance(value, str) and limit is not None and len(value) > limit:
                    values[name] = value[:limit]
                    reason = f"{name} cut to {limit} characters"
                    self.report.partial.append(RowNote(record.table, record.rowid, reason))
        return record

    async def without_taken(
        self, model: type[Base], records: list[Record], unique: str
    ) -> list[Record]:
        holders = await self.owners(model, unique, [record.values[unique] for record in records])

        free: list[Record] = []
        claimed: set[Any] = set()
        for record in records:
            value = record.values[unique]
            if holders.get(value, record.key) != record.key or value in claimed:
                reason = f"{unique} {value} is already used by another record"
                self.report.skipped.append(RowNote(record.table, record.rowid, reason))
                continue
            claimed.add(value)
            free.append(record)
        return free

    async def load(self, model: type[Base], keys: list[Any]) -> dict[Any, Any]:
        """The rows of ``model`` with these keys, by key."""
        primary_key = sa.inspect(model).primary_key
        if len(primary_key) > 1:
            found = {key: await self.session.get(model, key) for key in keys}
            return {key: row for key, row in found.items() if row is not None}

        column = primary_key[0]
        loaded: dict[Any, Any] = {}
        for chunk in in_chunks(keys):
            rows = await self.session.scalars(sa.select(model).where(column.in_(chunk)))
            loaded.update((getattr(row, str(column.key)), row) for row in rows)
        return loaded


def _key_fields(model: type[Base], key: Any) -> dict[str, Any]:
    names = [str(column.key) for column in sa.inspect(model).primary_key]
    parts = key if isinstance(key, tuple) else (key,)
    return dict(zip(names, parts, strict=True))


def _text_limits(model: type[Base]) -> dict[str, int]:
    columns = sa.inspect(model).columns
    return {
        str(column.key): column.type.length
        for column in columns
        if isinstance(column.type, sa.String)
        and not isinstance(column.type, sa.Enum)
        and column.type.length
    }


def in_chunks(items: list[Any]) -> Iterable[list[Any]]:
    """``items`` in lists short enough for one IN (...) each."""
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]
