"""The demo's quality checklist: a template the rules accept, and a
non-conformity the quality page shows at once."""

from __future__ import annotations

import datetime as dt

import msgspec
import sqlalchemy as sa

from backend.aftersales.demo_checklists import QUALITY_ITEMS, TEMPLATE_ID
from backend.aftersales.schemas import ChecklistItem
from backend.aftersales.templates import check_items
from backend.db.engine import Database
from backend.db.models import Action, ChecklistTemplate, Nonconformity
from backend.demo import load_demo


def test_the_demo_checklist_passes_the_template_rules() -> None:
    items = msgspec.convert(QUALITY_ITEMS, list[ChecklistItem])

    check_items(items)

    assert any(item.visible_if for item in items)
    assert any(item.quality for item in items)
    assert {item.kind for item in items} >= {"photo", "signature", "number", "choice"}


async def test_the_demo_holds_a_quality_checklist_and_what_it_found(db: Database) -> None:
    await load_demo(db, dt.date(2026, 12, 4))

    async with db.reading() as session:
        template = await session.get(ChecklistTemplate, TEMPLATE_ID)
        [found] = list(await session.scalars(sa.select(Nonconformity)))
        task = await session.get(Action, found.action_id)

    assert template is not None and template.guards_step is None
    assert (found.item_key, found.kind.value, found.value) == ("pressure", "out_of_bounds", 2.9)
    assert task is not None and task.done_at is None and task.assignee_id is not None
