"""Tombstones past the horizon: purged, never resurrected, old cursors reset."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import ChangeLogEntry, PurgedEntity, ServiceOrderNote, TimeEntry
from backend.offline.horizon import purge_tombstones
from sync.ids import uuid7
from tests.factories import Company

LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)


def entry(company: Company, **changes: Any) -> dict[str, Any]:
    return {
        "id": str(uuid7()),
        "affair_id": str(company.affair_id),
        "work_date": "2026-11-23",
        "minutes": 60,
        **changes,
    }


async def age_the_tombstones(db: Database) -> None:
    async with db.writing() as session:
        await session.execute(
            sa.update(TimeEntry)
            .where(TimeEntry.deleted_at.is_not(None))
            .values(deleted_at=LONG_AGO)
        )


async def test_old_tombstones_are_purged_and_remembered(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    gone, kept = entry(company), entry(company, minutes=30)
    for values in (gone, kept):
        await tech.send("time_entry.put", values)
    await tech.send("time_entry.delete", {"id": gone["id"]})
    await age_the_tombstones(db)

    report = await purge_tombstones(db)

    assert report.purged == {"time_entry": 1}
    async with db.reading() as session:
        left = set(await session.scalars(sa.select(TimeEntry.id)))
        remembered = set(await session.scalars(sa.select(PurgedEntity.entity_id)))
    assert left == {uuid.UUID(kept["id"])}
    assert remembered == {uuid.UUID(gone["id"])}


async def test_recent_tombstones_and_referenced_rows_stay(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    recent = entry(company)
    await tech.send("time_entry.put", recent)
    await tech.send("time_entry.delete", {"id": recent["id"]})
    await tech.send(
        "service_order.note",
        {
            "id": str(company.order_id),
            "note_id": str(uuid7()),
            "text": "still needed",
        },
    )
    async with db.writing() as session:
        from backend.db.models import ServiceOrder

        await session.execute(
            sa.update(ServiceOrder)
            .where(ServiceOrder.id == company.order_id)
            .values(deleted_at=LONG_AGO)
        )

    report = await purge_tombstones(db)

    assert report.purged == {}
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrderNote)) == 1


async def test_a_late_change_to_a_purged_record_is_a_conflict(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    tablet = await device_of("tech")
    values = entry(company)
    await phone.send("time_entry.put", values)
    await phone.send("time_entry.delete", {"id": values["id"]})
    await age_the_tombstones(db)
    await purge_tombstones(db)

    late = await tablet.send("time_entry.put", {**values, "minutes": 90}, base=1)

    assert (late["status"], late["code"]) == ("conflict", "delete_vs_update")
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(TimeEntry)) == 0


async def test_a_cursor_older_than_the_horizon_resets(
    device_of: Any, company: Company, db: Database
) -> None:
    away = await device_of("tech")
    await away.pull()
    old_cursor = away.cursor
    working = await device_of("tech")
    values = entry(company)
    await working.send("time_entry.put", values)
    await working.send("time_entry.delete", {"id": values["id"]})
    await age_the_tombstones(db)
    await purge_tombstones(db)
    current = await device_of("tech")
    await current.pull()

    stale = await away.client.post(
        "/api/sync/pull",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(away.client_id),
            "cursor": old_cursor,
        },
    )
    fresh = await current.client.post(
        "/api/sync/pull",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(current.client_id),
            "cursor": current.cursor,
        },
    )

    assert stale.json()["reset"] is True
    assert stale.json()["changes"]
    assert fresh.json()["reset"] is False


async def test_history_older_than_the_horizon_goes(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    await tech.send("time_entry.put", entry(company))
    async with db.writing() as session:
        await session.execute(sa.update(ChangeLogEntry).values(changed_at=LONG_AGO))

    report = await purge_tombstones(db)

    assert report.history_removed > 0
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(ChangeLogEntry)) == 0
