"""Checklist templates: written by administrators, one revision at a time.

A revision never changes once written: a run keeps the revision it started
with (``ChecklistRun.template_id`` names the revision), so the items its
answers were given against stay readable. Editing a checklist writes its
next revision; new runs take the latest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import msgspec
import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from backend.aftersales.schemas import (
    ChecklistItem,
    ChecklistRevisionIn,
    ChecklistTemplateIn,
    ChecklistTemplateOut,
)
from backend.db.models import ChecklistRun, ChecklistTemplate, RepairStep
from backend.lib.errors import Conflict, InvalidInput, NotFound
from sync.ids import uuid7

logger = structlog.get_logger()

LANGUAGES = frozenset({"en", "fr"})
MAX_LABEL = 300
MAX_CHOICES = 50
MAX_CHOICE = 200
# What a condition may compare with, by the kind of the item it names.
# Photos and signatures have no answer to compare.
CONDITION_TYPES: dict[str, tuple[type, ...]] = {
    "yes_no": (bool,),
    "choice": (str,),
    "number": (int, float),
    "text": (str,),
}


def _refuse(index: int, field: str, reason: str) -> InvalidInput:
    return InvalidInput("invalid_input", field=f"items[{index}].{field}", reason=reason)


def check_items(items: Sequence[ChecklistItem]) -> None:
    """``InvalidInput`` naming the first item field that cannot be.

    Keys are unique; a choice has its choices (and only a choice has
    some); bounds and a unit belong to numbers, the lower bound not above
    the upper; a quality item is a yes/no; a condition names an earlier
    item and an answer that item can have.
    """
    earlier: dict[str, ChecklistItem] = {}
    for index, item in enumerate(items):
        if item.key in earlier:
            raise _refuse(index, "key", f"the key {item.key} is used twice")
        _check_label(index, item.label)
        _check_choices(index, item)
        _check_number(index, item)
        if item.quality and item.kind != "yes_no":
            raise _refuse(index, "quality", "only a yes/no item is a quality item")
        if item.visible_if is not None:
            _check_condition(index, item, earlier)
        earlier[item.key] = item


def _check_label(index: int, label: str | dict[str, str]) -> None:
    texts = [label] if isinstance(label, str) else list(label.values())
    if isinstance(label, dict) and (not label or not set(label) <= LANGUAGES):
        raise _refuse(index, "label", "one text, or one per language (en, fr)")
    if any(not text.strip() or len(text) > MAX_LABEL for text in texts):
        raise _refuse(index, "label", f"a text of 1 to {MAX_LABEL} characters")


def _check_choices(index: int, item: ChecklistItem) -> None:
    if item.kind != "choice":
        if item.choices is not None:
            raise _refuse(index, "choices", "only a choice item has choices")
        return
    choices = item.choices or []
    if len(choices) < 2 or len(choices) > MAX_CHOICES:
        raise _refuse(index, "choices", f"2 to {MAX_CHOICES} choices")
    if len(set(choices)) != len(choices):
        raise _refuse(index, "choices", "a choice is given twice")
    if any(not choice.strip() or len(choice) > MAX_CHOICE for choice in choices):
        raise _refuse(index, "choices", f"each choice a text of 1 to {MAX_CHOICE} characters")


def _check_number(index: int, item: ChecklistItem) -> None:
    if item.kind != "number":
        for field in ("min", "max", "unit"):
            if getattr(item, field) is not None:
                raise _refuse(index, field, "only a number item has bounds and a unit")
        return
    for field in ("min", "max"):
        bound = getattr(item, field)
        if bound is not None and not math.isfinite(bound):
            raise _refuse(index, field, "a finite number")
    if item.min is not None and item.max is not None and item.min > item.max:
        raise _refuse(index, "max", "the upper bound is below the lower bound")


def _check_condition(index: int, item: ChecklistItem, earlier: dict[str, ChecklistItem]) -> None:
    assert item.visible_if is not None
    named = earlier.get(item.visible_if.item)
    if named is None:
        raise _refuse(index, "visible_if.item", "an item earlier in the list")
    expected = item.visible_if.equals
    allowed = CONDITION_TYPES.get(named.kind)
    if allowed is None:
        raise _refuse(index, "visible_if.item", f"a {named.kind} item has no answer to compare")
    # True is an int to Python: a number's condition must be a number.
    if not isinstance(expected, allowed) or (named.kind != "yes_no" and isinstance(expected, bool)):
        raise _refuse(index, "visible_if.equals", f"an answer of the {named.kind} item")
    if named.kind == "choice" and expected not in (named.choices or []):
        raise _refuse(index, "visible_if.equals", "one of the item's choices")


def _items_stored(items: Sequence[ChecklistItem]) -> list[dict[str, Any]]:
    # Without the fields left empty: what a device reads is short, and the
    # same document the server checks answers against.
    return [
        {field: value for field, value in msgspec.to_builtins(item).items() if value is not None}
        for item in items
    ]


async def _revisions(session: AsyncSession, code: str) -> list[ChecklistTemplate]:
    return list(
        await session.scalars(
            sa.select(ChecklistTemplate)
            .where(ChecklistTemplate.code == code, ChecklistTemplate.deleted_at.is_(None))
            .order_by(ChecklistTemplate.revision)
        )
    )


async def _template_out(
    session: AsyncSession, template: ChecklistTemplate, revisions: list[int]
) -> ChecklistTemplateOut:
    runs = await session.scalar(
        sa.select(sa.func.count())
        .select_from(ChecklistRun)
        .where(ChecklistRun.template_id == template.id, ChecklistRun.deleted_at.is_(None))
    )
    return ChecklistTemplateOut(
        id=template.id,
        code=template.code,
        revision=template.revision,
        name=template.name,
        items=msgspec.convert(template.items, list[ChecklistItem]),
        guards_step=template.guards_step.value if template.guards_step else None,
        runs=int(runs or 0),
        revisions=revisions,
    )


async def list_templates(session: AsyncSession) -> list[ChecklistTemplateOut]:
    """The latest revision of every checklist, by code."""
    templates = await session.scalars(
        sa.select(ChecklistTemplate)
        .where(ChecklistTemplate.deleted_at.is_(None))
        .order_by(ChecklistTemplate.code, ChecklistTemplate.revision)
    )
    by_code: dict[str, list[ChecklistTemplate]] = {}
    for template in templates:
        by_code.setdefault(template.code, []).append(template)
    return [
        await _template_out(session, revisions[-1], [each.revision for each in revisions])
        for revisions in by_code.values()
    ]


async def read_template(
    session: AsyncSession, code: str, revision: int | None = None
) -> ChecklistTemplateOut:
    """One revision of a checklist, the latest unless named."""
    revisions = await _revisions(session, code)
    chosen = [each for each in revisions if revision is None or each.revision == revision]
    if not chosen:
        raise NotFound(template=code, revision=revision)
    return await _template_out(session, chosen[-1], [each.revision for each in revisions])


async def create_template(session: AsyncSession, data: ChecklistTemplateIn) -> ChecklistTemplateOut:
    check_items(data.items)
    taken = await session.scalar(
        sa.select(sa.func.count())
        .select_from(ChecklistTemplate)
        .where(ChecklistTemplate.code == data.code)
    )
    if taken:
        raise Conflict("template_exists", code="template_exists", field="code")
    template = _write(data.code, 1, data)
    session.add(template)
    try:
        await session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict("template_exists", code="template_exists", field="code") from exc
    logger.info("checklist_template_created", template_id=str(template.id), items=len(data.items))
    return await _template_out(session, template, [1])


async def revise_template(
    session: AsyncSession, code: str, data: ChecklistRevisionIn
) -> ChecklistTemplateOut:
    """The next revision, or the latest itself when nothing changed."""
    check_items(data.items)
    revisions = await _revisions(session, code)
    if not revisions:
        raise NotFound(template=code)
    latest = revisions[-1]
    numbers = [each.revision for each in revisions]
    unchanged = (
        latest.name == data.name
        # Read back through the item type: a revision written elsewhere (the
        # demo, an import) may leave out fields at their defaults.
        and _items_stored(msgspec.convert(latest.items, list[ChecklistItem]))
        == _items_stored(data.items)
        and (latest.guards_step.value if latest.guards_step else None) == data.guards_step
    )
    if unchanged:
        return await _template_out(session, latest, numbers)
    # The highest revision ever written, deleted ones included: a number is never reused.
    highest = await session.scalar(
        sa.select(sa.func.max(ChecklistTemplate.revision)).where(ChecklistTemplate.code == code)
    )
    template = _write(code, int(highest or 0) + 1, data)
    session.add(template)
    try:
        await session.flush()
    except sa.exc.IntegrityError as exc:
        # Another administrator wrote this revision number first.
        raise Conflict("template_changed", code="template_changed", template=code) from exc
    logger.info(
        "checklist_template_revised",
        template_id=str(template.id),
        revision=template.revision,
        items=len(data.items),
    )
    return await _template_out(session, template, [*numbers, template.revision])


def _write(
    code: str, revision: int, data: ChecklistTemplateIn | ChecklistRevisionIn
) -> ChecklistTemplate:
    return ChecklistTemplate(
        id=uuid7(),
        code=code,
        revision=revision,
        name=data.name,
        items=_items_stored(data.items),
        guards_step=RepairStep(data.guards_step) if data.guards_step else None,
    )
