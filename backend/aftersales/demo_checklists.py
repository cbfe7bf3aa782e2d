"""Demo: a quality checklist with conditions, bounds and a quality item,
guarding a repair's "ready" step, and a non-conformity it found last week.

Called by ``backend.demo.load_demo`` once the service orders exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.aftersales import quality
from backend.aftersales.schemas import ChecklistItem
from backend.aftersales.services import answer_id
from backend.db.models import (
    ChecklistAnswer,
    ChecklistRun,
    ChecklistTemplate,
    ServiceOrder,
)
from sync.ids import derived_id

PARIS = ZoneInfo("Europe/Paris")

QUALITY_ITEMS: list[dict[str, Any]] = [
    {
        "key": "power_off",
        "kind": "yes_no",
        "required": True,
        "label": {"en": "Power isolated before the test", "fr": "Alimentation coupée avant essai"},
    },
    {
        "key": "leak_test",
        "kind": "yes_no",
        "required": True,
        "quality": True,
        "label": {"en": "Leak test passed", "fr": "Test d'étanchéité réussi"},
    },
    {
        "key": "leak_where",
        "kind": "text",
        "required": True,
        "visible_if": {"item": "leak_test", "equals": False},
        "label": {"en": "Where is the leak?", "fr": "Où se situe la fuite\u00a0?"},
    },
    {
        "key": "pressure",
        "kind": "number",
        "required": True,
        "min": 1.0,
        "max": 2.5,
        "unit": "bar",
        "label": {"en": "Pressure after repair", "fr": "Pression après réparation"},
    },
    {
        "key": "seal_state",
        "kind": "choice",
        "choices": ["ok", "worn", "replaced"],
        "label": {"en": "Seals", "fr": "Joints"},
    },
    {
        "key": "seal_ref",
        "kind": "text",
        "visible_if": {"item": "seal_state", "equals": "replaced"},
        "label": {"en": "Reference of the new seals", "fr": "Référence des joints posés"},
    },
    {
        "key": "photo_after",
        "kind": "photo",
        "label": {"en": "Photo after repair", "fr": "Photo après réparation"},
    },
    {
        "key": "checked_by",
        "kind": "signature",
        "label": {"en": "Signature of the checker", "fr": "Signature du contrôleur"},
    },
]

# The demo's own ids, made as backend.demo makes them.
TEMPLATE_ID = derived_id("demo", "template", "repair-quality")


def _order_id(number: str) -> uuid.UUID:
    return derived_id("demo", "order", number)


async def load_demo_checklists(
    session: AsyncSession, people: dict[str, uuid.UUID], today: dt.date
) -> None:
    """The quality checklist, open on today's leak repair (to try its
    conditions on a phone), and answered last week on a closed one with a
    pressure out of bounds: a non-conformity and its follow-up task."""
    template = ChecklistTemplate(
        id=TEMPLATE_ID,
        code="repair-quality",
        revision=1,
        name="Contrôle qualité après réparation / Quality check after repair",
        items=QUALITY_ITEMS,
        # The check before return (demo_repairs) guards "ready" on every
        # new repair; this fuller one is given to chosen visits.
        guards_step=None,
    )
    session.add(template)
    await session.flush()
    today_order = await session.get(ServiceOrder, _order_id("SO-2026-0103"))
    past_order = await session.get(ServiceOrder, _order_id("SO-2026-0090"))
    if today_order is None or past_order is None:
        return
    for order in (today_order, past_order):
        session.add(
            ChecklistRun(
                id=derived_id("demo", "quality-run", order.number),
                template_id=template.id,
                service_order_id=order.id,
                affair_id=order.affair_id,
            )
        )
    await session.flush()
    past_run = await session.get(ChecklistRun, derived_id("demo", "quality-run", "SO-2026-0090"))
    assert past_run is not None
    technician = past_order.technician_id or people["tech1"]
    day = today - dt.timedelta(days=7)
    answered_at = dt.datetime.combine(day, dt.time(10, 15), PARIS).astimezone(dt.UTC)
    items = {item.key: item for item in msgspec.convert(QUALITY_ITEMS, list[ChecklistItem])}
    for key, value in (("power_off", True), ("leak_test", True), ("pressure", 2.9)):
        session.add(
            ChecklistAnswer(
                id=answer_id(past_run.id, key),
                run_id=past_run.id,
                item_key=key,
                value=value,
                answered_by_id=technician,
                answered_at=answered_at,
            )
        )
        await session.flush()
        await quality.follow_answer(
            session,
            past_run,
            past_order,
            items[key],
            value,
            answered_by=technician,
            at=answered_at,
        )
