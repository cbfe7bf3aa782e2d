"""Tombstones outlive their use: past a horizon they are purged.

A deleted synced row stays as a tombstone, so that devices learn of the
deletion by pull. After the horizon (30 days by default) the row is
removed for good, its id kept in ``purged_entities`` (a device's late
change to it becomes a conflict, never a resurrection), and the highest
change number purged is kept: a device whose cursor is below it may have
missed a deletion, so its next pull is a reset.

The change log's snapshots older than the horizon go too; a device whose
``base`` is older then merges by time instead of field by field. So do the
scope sets that no device stands on any more, and the photos' bytes
(blobs) that no record and no waiting change names. A tombstone's own
server-side records (the cost kept when a deleted entry was approved
once) go with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import Base
from backend.db.engine import Database
from backend.db.models import (
    ApprovedCost,
    ChangeLogEntry,
    Device,
    PurgedEntity,
    ScopeSet,
    SyncHorizon,
    TimeEntry,
    synced_tables,
)
from backend.db.upsert import insert_ignoring_duplicates
from backend.lib.time import utc_now
from backend.offline.blobs import remove_unused_blobs

logger = structlog.get_logger()

DEFAULT_HORIZON = dt.timedelta(days=30)


@dataclass
class PurgeReport:
    purged: dict[str, int] = field(default_factory=dict)
    history_removed: int = 0
    blobs_removed: int = 0
    purged_through: int = 0


async def purged_through(session: AsyncSession) -> int:
    """Cursors below this number may have missed a deletion."""
    return int(
        await session.scalar(sa.select(SyncHorizon.purged_through).where(SyncHorizon.id == 1)) or 0
    )


async def was_purged(session: AsyncSession, entity_id: uuid.UUID) -> bool:
    found = await session.scalar(
        sa.select(PurgedEntity.entity_id).where(PurgedEntity.entity_id == entity_id)
    )
    return found is not None


async def purge_tombstones(db: Database, horizon: dt.timedelta = DEFAULT_HORIZON) -> PurgeReport:
    """Remove tombstones, history and unused blobs older than ``horizon``,
    in one transaction."""
    cutoff = utc_now() - horizon
    report = PurgeReport()
    async with db.writing() as session:
        highest = await purged_through(session)
        await session.execute(
            sa.delete(ApprovedCost).where(
                ApprovedCost.entry_id.in_(
                    sa.select(TimeEntry.id).where(
                        TimeEntry.deleted_at.is_not(None), TimeEntry.deleted_at < cutoff
                    )
                )
            )
        )
        # Children first: a row still referenced waits for a later pass (or
        # for its children to be purged in turn).
        for _ in range(len(synced_tables())):
            purged_now = 0
            for sync_type, table in synced_tables().items():
                count, version = await _purge_table(session, sync_type, table, cutoff)
                if count:
                    report.purged[sync_type] = report.purged.get(sync_type, 0) + count
                    highest = max(highest, version)
                    purged_now += count
            if not purged_now:
                break

        removed = await session.execute(
            sa.delete(ChangeLogEntry).where(ChangeLogEntry.changed_at < cutoff)
        )
        # Scope sets no device stands on any more (a device far behind
        # whose set is gone starts again from a snapshot).
        await session.execute(
            sa.delete(ScopeSet).where(
                ScopeSet.touched_at < cutoff,
                ScopeSet.fingerprint.not_in(
                    sa.select(Device.scope).where(Device.scope.is_not(None))
                ),
            )
        )
        report.history_removed = int(getattr(removed, "rowcount", 0) or 0)
        # After the tombstones: a photo purged above no longer keeps its blob.
        report.blobs_removed = await remove_unused_blobs(session, cutoff)
        await session.execute(
            insert_ignoring_duplicates(session, SyncHorizon).values(id=1, purged_through=0)
        )
        await session.execute(
            sa.update(SyncHorizon)
            .where(SyncHorizon.id == 1)
            .values(purged_through=highest, purged_at=utc_now())
        )
        report.purged_through = highest
    logger.info(
        "sync.purged",
        rows=sum(report.purged.values()),
        history=report.history_removed,
        blobs=report.blobs_removed,
        purged_through=highest,
    )
    return report


async def _purge_table(
    session: AsyncSession, sync_type: str, table: sa.Table, cutoff: dt.datetime
) -> tuple[int, int]:
    """Purge the table's old tombstones nothing points at: (count, highest version)."""
    query = sa.select(table.c.id, table.c.version).where(
        table.c.deleted_at.is_not(None), table.c.deleted_at < cutoff, *_unreferenced(table)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return 0, 0
    ids = [row.id for row in rows]
    await session.execute(
        sa.insert(PurgedEntity),
        [{"entity_id": entity_id, "entity_type": sync_type} for entity_id in ids],
    )
    await session.execute(sa.delete(table).where(table.c.id.in_(ids)))
    return len(ids), max(int(row.version or 0) for row in rows)


def _unreferenced(table: sa.Table) -> list[sa.ColumnElement[bool]]:
    """Conditions that no row of any table refers to a row of ``table``."""
    conditions: list[sa.ColumnElement[bool]] = []
    for other in Base.metadata.tables.values():
        for key in other.foreign_keys:
            if key.column.table is table and other is not table:
                conditions.append(~sa.exists().where(key.parent == key.column))
    return conditions
