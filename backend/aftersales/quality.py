"""Quality tracking: what checklist answers find wrong, and its follow-up.

An answer is a non-conformity when a number falls outside its item's
bounds (``out_of_bounds``) or a quality item is answered "no" (``failed``).
The first such answer of an item in a run records the non-conformity and
makes one follow-up task on the affair, for the affair's manager::

    answer bad ----> non-conformity open, task open     (once per run and item)
    answer bad again (resent, or another bad value) ---> same row, value updated
    answer corrected --> cleared (cleared_at), task done (if still open)
    answer bad once more --> reopened, same task reopened

Why the task is closed with the correction: it asked someone to look at a
reading that is no longer the run's; the row itself stays, cleared, so the
counts per customer, product and technician still show what was found.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from backend.access import policy
from backend.access.actors import Actor
from backend.aftersales.schemas import (
    ChecklistItem,
    NonconformityCount,
    NonconformityOut,
    QualityOut,
)
from backend.db.models import (
    Action,
    ActionKind,
    Affair,
    ChecklistRun,
    Customer,
    Equipment,
    Nonconformity,
    NonconformityKind,
    Product,
    ServiceOrder,
    User,
)
from backend.lib.errors import Forbidden
from sync.ids import derived_id

logger = structlog.get_logger()

MAX_LISTED = 500


def finding(item: ChecklistItem, value: Any) -> NonconformityKind | None:
    """What this answer finds wrong, if anything."""
    if item.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        low, high = item.min, item.max
        if (low is not None and value < low) or (high is not None and value > high):
            return NonconformityKind.OUT_OF_BOUNDS
    if item.quality and item.kind == "yes_no" and value is False:
        return NonconformityKind.FAILED
    return None


def may_find(item: ChecklistItem) -> bool:
    """Can an answer to this item be a non-conformity at all? The others
    never need the table read."""
    bounded = item.kind == "number" and (item.min is not None or item.max is not None)
    return bounded or (item.quality and item.kind == "yes_no")


def nonconformity_id(run_id: uuid.UUID, item_key: str) -> uuid.UUID:
    return derived_id("nonconformity", run_id, item_key)


def _follow_up_id(run_id: uuid.UUID, item_key: str) -> uuid.UUID:
    return derived_id("nonconformity_action", run_id, item_key)


async def follow_answer(
    session: AsyncSession,
    run: ChecklistRun,
    order: ServiceOrder | None,
    item: ChecklistItem,
    value: Any,
    *,
    answered_by: uuid.UUID,
    at: dt.datetime,
) -> None:
    """Record, update or clear the item's non-conformity after an answer
    was written (not when it lost to another device's)."""
    if not may_find(item):
        return
    kind = finding(item, value)
    key = nonconformity_id(run.id, item.key)
    found = await session.get(Nonconformity, key, populate_existing=True)
    if found is None:
        if kind is not None:
            await _record(session, run, order, item, kind, value, answered_by, at)
        return
    action = await session.get(Action, found.action_id, populate_existing=True)
    if kind is None:
        if found.cleared_at is None:
            found.cleared_at = at
            if action is not None and action.done_at is None:
                action.done_at, action.progress = at, 100
            logger.info("nonconformity_cleared", nonconformity_id=str(key), run_id=str(run.id))
        return
    if (found.kind, found.value) != (kind, value):
        found.kind, found.value = kind, value
    if found.cleared_at is not None:
        found.cleared_at, found.found_at = None, at
        if action is not None:
            action.done_at, action.progress = None, 0
        logger.info("nonconformity_reopened", nonconformity_id=str(key), run_id=str(run.id))


async def _record(
    session: AsyncSession,
    run: ChecklistRun,
    order: ServiceOrder | None,
    item: ChecklistItem,
    kind: NonconformityKind,
    value: Any,
    answered_by: uuid.UUID,
    at: dt.datetime,
) -> None:
    affair = (
        await session.execute(
            sa.select(Affair.manager_id, Affair.customer_id).where(Affair.id == run.affair_id)
        )
    ).one()
    product_id = None
    if order is not None and order.equipment_id is not None:
        product_id = await session.scalar(
            sa.select(Equipment.product_id).where(Equipment.id == order.equipment_id)
        )
    action_id = _follow_up_id(run.id, item.key)
    where = f" ({order.number})" if order is not None else ""
    session.add(
        Action(
            id=action_id,
            affair_id=run.affair_id,
            kind=ActionKind.TASK,
            title=f"{_label(item)}: {_said(kind, value)}{where}"[:255],
            assignee_id=affair.manager_id,
            due_date=at.date(),
        )
    )
    await session.flush()
    session.add(
        Nonconformity(
            id=nonconformity_id(run.id, item.key),
            run_id=run.id,
            item_key=item.key,
            affair_id=run.affair_id,
            service_order_id=order.id if order is not None else None,
            customer_id=(order.customer_id if order is not None else None) or affair.customer_id,
            product_id=product_id,
            technician_id=(order.technician_id if order is not None else None) or answered_by,
            kind=kind,
            value=value,
            found_at=at,
            action_id=action_id,
        )
    )
    logger.info(
        "nonconformity_found",
        run_id=str(run.id),
        action_id=str(action_id),
        kind=kind.value,
    )


def _label(item: ChecklistItem) -> str:
    # The company's own words for the item; with one per language, the
    # first one written (a task's title is data, not the screen's words).
    if isinstance(item.label, str):
        return item.label
    return next(iter(item.label.values()), item.key)


def _said(kind: NonconformityKind, value: Any) -> str:
    if kind is NonconformityKind.FAILED:
        return "failed / non conforme"
    return f"{value} out of bounds / hors limites"


# -- the office's view --------------------------------------------------------------


async def list_nonconformities(
    session: AsyncSession,
    actor: Actor,
    *,
    customer_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    technician_id: uuid.UUID | None = None,
    open_only: bool = False,
) -> QualityOut:
    """The non-conformities found (latest first) and their counts per
    customer, product and technician, under the same filters."""
    if not policy.reads_quality(actor):
        raise Forbidden()
    where = [policy.visible_nonconformities(actor)]
    for column, wanted in (
        (Nonconformity.customer_id, customer_id),
        (Nonconformity.product_id, product_id),
        (Nonconformity.technician_id, technician_id),
    ):
        if wanted is not None:
            where.append(column == wanted)
    if open_only:
        where.append(Nonconformity.cleared_at.is_(None))
    rows = await session.scalars(
        sa.select(Nonconformity)
        .where(*where)
        .order_by(Nonconformity.found_at.desc(), Nonconformity.id)
        .limit(MAX_LISTED)
    )
    listed = [
        NonconformityOut(
            id=row.id,
            run_id=row.run_id,
            item_key=row.item_key,
            kind=row.kind.value,
            value=row.value,
            affair_id=row.affair_id,
            service_order_id=row.service_order_id,
            customer_id=row.customer_id,
            product_id=row.product_id,
            technician_id=row.technician_id,
            action_id=row.action_id,
            found_at=row.found_at,
            cleared_at=row.cleared_at,
        )
        for row in rows
    ]
    return QualityOut(
        nonconformities=listed,
        by_customer=await _counts(session, where, Nonconformity.customer_id, Customer.name),
        by_product=await _counts(session, where, Nonconformity.product_id, Product.label),
        by_technician=await _counts(session, where, Nonconformity.technician_id, User.name),
    )


async def _counts(
    session: AsyncSession,
    where: list[sa.ColumnElement[bool]],
    column: InstrumentedAttribute[uuid.UUID | None],
    name: InstrumentedAttribute[str],
) -> list[NonconformityCount]:
    named = name.class_
    still_open = sa.func.sum(sa.case((Nonconformity.cleared_at.is_(None), 1), else_=0))
    rows = await session.execute(
        sa.select(column, name, sa.func.count(), still_open)
        .select_from(Nonconformity)
        .outerjoin(named, named.id == column)
        .where(*where)
        .group_by(column, name)
        .order_by(sa.func.count().desc(), name)
    )
    return [
        NonconformityCount(id=row[0], name=row[1], count=int(row[2]), open=int(row[3] or 0))
        for row in rows
    ]
