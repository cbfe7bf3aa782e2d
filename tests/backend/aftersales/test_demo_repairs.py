"""The demo's repairs: one at each step, the quality check held by its checklist."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from backend.aftersales.repairs import missing_for_step
from backend.db.engine import Database
from backend.db.models import RepairStep, ServiceOrder, ServiceOrderKind, ServiceOrderStep
from backend.demo import load_demo


async def test_demo_has_a_repair_at_each_step(db: Database) -> None:
    await load_demo(db, dt.date(2026, 12, 4))

    async with db.reading() as session:
        repairs = list(
            await session.scalars(
                sa.select(ServiceOrder).where(ServiceOrder.kind == ServiceOrderKind.REPAIR)
            )
        )
        steps = await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrderStep))
        checked = next(r for r in repairs if r.step == RepairStep.QUALITY_CHECK)
        missing = await missing_for_step(session, checked.id, RepairStep.READY)

    assert {r.step for r in repairs} == set(RepairStep)
    assert steps == 1 + 2 + 3 + 4 + 5 + 6
    assert missing == ["runs_an_hour", "leak_free"]
