"""Blobs past the horizon: the horizon purge removes those nothing needs."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import Blob, BlobHolder, ConflictRecord, ConflictStatus
from backend.offline.horizon import purge_tombstones
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company, photo_bytes

LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def put_blob(device: Device, data: bytes) -> None:
    response = await device.client.put(
        f"/api/blobs/{sha(data)}", content=data, headers={"Content-Type": "image/png"}
    )
    assert response.status_code in (200, 201), response.text


def attach(company: Company, data: bytes) -> dict[str, Any]:
    return {
        "run_id": str(company.run_id),
        "item_key": "state",
        "photo_id": str(uuid7()),
        "sha256": sha(data),
    }


async def age_the_blobs(db: Database) -> None:
    """Every blob uploaded, by everyone who uploaded it, long ago."""
    async with db.writing() as session:
        await session.execute(sa.update(Blob).values(created_at=LONG_AGO))
        await session.execute(sa.update(BlobHolder).values(since=LONG_AGO))


async def blobs_kept(db: Database) -> set[str]:
    async with db.reading() as session:
        return set(await session.scalars(sa.select(Blob.sha256)))


async def holders_kept(db: Database) -> set[str]:
    async with db.reading() as session:
        return set(await session.scalars(sa.select(BlobHolder.sha256)))


async def test_an_old_blob_nothing_names_is_removed_with_its_holders(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, colleague = await device_of("tech"), await device_of("tech2")
    unused = photo_bytes(1)
    await put_blob(tech, unused)
    await put_blob(colleague, unused)
    await age_the_blobs(db)

    report = await purge_tombstones(db)

    assert report.blobs_removed == 1
    assert await blobs_kept(db) == set()
    assert await holders_kept(db) == set()
    assert (await tech.client.get(f"/api/blobs/{sha(unused)}")).status_code == 404


async def test_an_old_blob_a_photo_names_stays(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    used, unused = photo_bytes(2), photo_bytes(3)
    await put_blob(tech, used)
    await put_blob(tech, unused)
    result = await tech.send("checklist.attach", attach(company, used))
    assert result["status"] == "applied"
    await age_the_blobs(db)

    report = await purge_tombstones(db)

    assert report.blobs_removed == 1
    assert await blobs_kept(db) == {sha(used)}
    assert await holders_kept(db) == {sha(used)}
    assert (await tech.client.get(f"/api/blobs/{sha(used)}")).status_code == 200


async def test_an_old_blob_a_held_change_waits_for_stays(
    device_of: Any, company: Company, db: Database
) -> None:
    """The colleague's bytes are here, but the technician's change naming
    them waits for the technician's own upload: the bytes must wait too."""
    colleague, tech = await device_of("tech2"), await device_of("tech")
    awaited = photo_bytes(4)
    await put_blob(colleague, awaited)
    held = await tech.send("checklist.attach", attach(company, awaited))
    assert (held["status"], held["code"]) == ("conflict", "missing_blob")
    await age_the_blobs(db)

    report = await purge_tombstones(db)

    assert report.blobs_removed == 0
    assert await blobs_kept(db) == {sha(awaited)}


async def test_an_old_blob_goes_once_the_change_waiting_for_it_is_settled(
    device_of: Any, company: Company, db: Database
) -> None:
    colleague, tech = await device_of("tech2"), await device_of("tech")
    awaited = photo_bytes(5)
    await put_blob(colleague, awaited)
    held = await tech.send("checklist.attach", attach(company, awaited))
    async with db.writing() as session:
        await session.execute(
            sa.update(ConflictRecord)
            .where(ConflictRecord.id == uuid.UUID(held["conflict_id"]))
            .values(status=ConflictStatus.RESOLVED, resolution="server")
        )
    await age_the_blobs(db)

    report = await purge_tombstones(db)

    assert report.blobs_removed == 1
    assert await blobs_kept(db) == set()


async def test_a_fresh_blob_nothing_names_yet_stays(
    device_of: Any, company: Company, db: Database
) -> None:
    """A device uploads a photo before the change naming it: that change
    may be on its way."""
    tech = await device_of("tech")
    fresh = photo_bytes(6)
    await put_blob(tech, fresh)

    report = await purge_tombstones(db)

    assert report.blobs_removed == 0
    assert await blobs_kept(db) == {sha(fresh)}


async def test_an_old_blob_uploaded_again_lately_stays(
    device_of: Any, company: Company, db: Database
) -> None:
    """Another phone took the same picture today: its change may follow."""
    tech, colleague = await device_of("tech"), await device_of("tech2")
    photo = photo_bytes(8)
    await put_blob(tech, photo)
    await age_the_blobs(db)
    await put_blob(colleague, photo)

    report = await purge_tombstones(db)

    assert report.blobs_removed == 0
    assert await blobs_kept(db) == {sha(photo)}
