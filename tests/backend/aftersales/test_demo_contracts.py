"""The demo's maintenance contract shows a done, a late and a coming visit."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from backend.access.actors import Actor
from backend.aftersales.contract_terms import contract_detail
from backend.db.engine import Database
from backend.db.models import MaintenanceContract, Role, User
from backend.demo import load_demo


async def test_the_demo_contract_has_a_done_a_late_and_a_coming_visit(db: Database) -> None:
    today = dt.date(2026, 12, 4)
    now = dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC)

    await load_demo(db, today)

    async with db.reading() as session:
        contract_id = await session.scalar(sa.select(MaintenanceContract.id))
        manager_id = await session.scalar(
            sa.select(User.id).where(User.email == "manager@demo.test")
        )
        assert contract_id is not None and manager_id is not None
        manager = Actor(id=manager_id, role=Role.MANAGER, name="Manager")
        detail = await contract_detail(session, manager, contract_id, now)
    states = [(visit.status, visit.late) for visit in detail.visits]
    assert states == [("done", False), ("planned", True), ("planned", False)]
    assert [visit.due_on for visit in detail.visits][-1] == today + dt.timedelta(days=10)
    assert len(detail.equipment) == 1
    assert all(visit.technician_id is not None for visit in detail.visits)
