"""Case S11 past the services: the database keeps an approved week locked.

The mutators meet the lock first and answer a ``locked`` conflict that
says who approved the week (test_time_mutators.py); the conflict
resolution endpoint sends a kept change through the same mutators
(tests/backend/offline/test_conflicts.py); the import leaves an approved
week's time alone (tests/backend/imports/test_dolibarr.py). Here: writers
that go straight to the tables, as the back office and a hand-run fix do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.faults import is_transient
from backend.db.models import ApprovedCost, LineDecision, TimeEntry, TimesheetWeek, WeekStatus
from backend.lib.time import utc_now
from backend.offline.horizon import purge_tombstones
from backend.timesheets.services import week_id
from sync.ids import uuid7
from tests.factories import Company

MONDAY = dt.date(2026, 11, 23)
WEEK = "2026-W48"
SUNDAY = MONDAY + dt.timedelta(days=6)


async def add_entry(db: Database, company: Company, day: dt.date, **values: Any) -> uuid.UUID:
    entry_id = uuid7()
    async with db.writing() as session:
        await session.execute(
            sa.insert(TimeEntry).values(
                id=entry_id,
                user_id=company.users["tech"],
                affair_id=company.affair_id,
                work_date=day,
                minutes=120,
                **values,
            )
        )
    return entry_id


async def set_week(db: Database, company: Company, status: WeekStatus) -> None:
    async with db.writing() as session:
        week = await session.get(TimesheetWeek, week_id(company.users["tech"], WEEK))
        if week is None:
            session.add(
                TimesheetWeek(
                    id=week_id(company.users["tech"], WEEK),
                    user_id=company.users["tech"],
                    week=WEEK,
                    status=status,
                )
            )
        else:
            week.status = status


async def minutes_of(db: Database, entry_id: uuid.UUID) -> int | None:
    async with db.reading() as session:
        return await session.scalar(sa.select(TimeEntry.minutes).where(TimeEntry.id == entry_id))


def refused() -> Any:
    return pytest.raises(sa.exc.IntegrityError, match="week_locked")


@pytest.mark.parametrize("day", [MONDAY, SUNDAY])
async def test_S11_no_direct_write_changes_an_approved_week(
    db: Database, company: Company, day: dt.date
) -> None:
    entry_id = await add_entry(db, company, day)
    await set_week(db, company, WeekStatus.APPROVED)

    with refused():
        async with db.writing() as session:
            await session.execute(
                sa.update(TimeEntry).where(TimeEntry.id == entry_id).values(minutes=30)
            )
    with refused():
        async with db.writing() as session:
            await session.execute(
                sa.update(TimeEntry).where(TimeEntry.id == entry_id).values(deleted_at=utc_now())
            )
    with refused():
        async with db.writing() as session:
            await session.execute(sa.delete(TimeEntry).where(TimeEntry.id == entry_id))
    with refused():
        await add_entry(db, company, day)
    with refused():
        # Moved out of the week: the week would lose hours it was approved with.
        async with db.writing() as session:
            await session.execute(
                sa.update(TimeEntry)
                .where(TimeEntry.id == entry_id)
                .values(work_date=MONDAY - dt.timedelta(days=7))
            )

    assert await minutes_of(db, entry_id) == 120
    async with db.reading() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(TimeEntry))
    assert count == 1


async def test_S11_nothing_moves_into_an_approved_week(db: Database, company: Company) -> None:
    await set_week(db, company, WeekStatus.APPROVED)
    elsewhere = await add_entry(db, company, MONDAY + dt.timedelta(days=7))

    with refused():
        async with db.writing() as session:
            await session.execute(
                sa.update(TimeEntry).where(TimeEntry.id == elsewhere).values(work_date=MONDAY)
            )


async def test_the_decision_and_the_bookkeeping_are_still_written(
    db: Database, company: Company
) -> None:
    entry_id = await add_entry(db, company, MONDAY)
    await set_week(db, company, WeekStatus.APPROVED)

    async with db.writing() as session:
        await session.execute(
            sa.update(TimeEntry)
            .where(TimeEntry.id == entry_id)
            .values(
                decision=LineDecision.APPROVED,
                decided_by_id=company.users["supervisor"],
                decided_at=utc_now(),
                approved_values={"minutes": 120},
                edited_at=utc_now(),
            )
        )

    async with db.reading() as session:
        entry = await session.get(TimeEntry, entry_id)
    assert entry is not None and entry.decision == LineDecision.APPROVED


@pytest.mark.parametrize(
    "status", [WeekStatus.DRAFT, WeekStatus.SUBMITTED, WeekStatus.REJECTED], ids=str
)
async def test_weeks_not_approved_take_any_write(
    db: Database, company: Company, status: WeekStatus
) -> None:
    entry_id = await add_entry(db, company, MONDAY)
    await set_week(db, company, status)

    async with db.writing() as session:
        await session.execute(
            sa.update(TimeEntry).where(TimeEntry.id == entry_id).values(minutes=30)
        )
    await add_entry(db, company, MONDAY)

    assert await minutes_of(db, entry_id) == 30


async def test_S11_once_reopened_a_direct_fix_goes_through(db: Database, company: Company) -> None:
    entry_id = await add_entry(db, company, MONDAY)
    await set_week(db, company, WeekStatus.APPROVED)
    await set_week(db, company, WeekStatus.DRAFT)

    async with db.writing() as session:
        await session.execute(
            sa.update(TimeEntry).where(TimeEntry.id == entry_id).values(minutes=45)
        )

    assert await minutes_of(db, entry_id) == 45


async def test_the_lock_is_the_person_s_own_week(db: Database, company: Company) -> None:
    await set_week(db, company, WeekStatus.APPROVED)

    async with db.writing() as session:
        await session.execute(
            sa.insert(TimeEntry).values(
                id=uuid7(),
                user_id=company.users["tech2"],
                affair_id=company.affair_id,
                work_date=MONDAY,
                minutes=60,
            )
        )


async def test_an_entry_deleted_before_the_approval_is_still_purged(
    db: Database, company: Company
) -> None:
    long_ago = utc_now() - dt.timedelta(days=400)
    tombstone = await add_entry(db, company, MONDAY, deleted_at=long_ago)
    await set_week(db, company, WeekStatus.APPROVED)

    report = await purge_tombstones(db, horizon=dt.timedelta(days=30))

    assert report.purged.get("time_entry") == 1
    assert await minutes_of(db, tombstone) is None


async def test_a_week_approved_under_a_writer_s_feet_is_a_fault_that_passes(
    db: Database, company: Company
) -> None:
    """Between a push's look at the week and its write, another writer may
    approve it: the push is answered "try again", and its retry meets the
    lock in the services (a ``locked`` conflict naming the approver)."""
    await set_week(db, company, WeekStatus.APPROVED)

    with refused() as caught:
        await add_entry(db, company, MONDAY)

    assert is_transient(caught.value)


async def test_an_entry_approved_once_then_deleted_is_purged_with_its_cost(
    db: Database, company: Company
) -> None:
    long_ago = utc_now() - dt.timedelta(days=400)
    entry_id = await add_entry(db, company, MONDAY)
    async with db.writing() as session:
        session.add(
            ApprovedCost(entry_id=entry_id, cents=8000, cents_per_hour=4000, approved_at=long_ago)
        )
    async with db.writing() as session:
        await session.execute(
            sa.update(TimeEntry).where(TimeEntry.id == entry_id).values(deleted_at=long_ago)
        )

    report = await purge_tombstones(db, horizon=dt.timedelta(days=30))

    assert report.purged.get("time_entry") == 1
    async with db.reading() as session:
        assert await session.get(ApprovedCost, entry_id) is None
