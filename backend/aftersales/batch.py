"""Checklist answers, notes and status steps decided inside a batch.

The plain cases only (``backend.offline.batch``): an answer on an open
checklist that nobody else changed since the device saw it, a new note, an
allowed status step. The guards are the services' own; whatever they would
refuse or keep as a conflict goes to the handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
import sqlalchemy as sa

from backend.access import policy
from backend.aftersales import quality
from backend.aftersales.schemas import (
    ChecklistAnswerArgs,
    ChecklistItem,
    ServiceOrderNoteArgs,
    ServiceOrderStatusArgs,
)
from backend.aftersales.services import (
    ANSWER_TABLE,
    LOCKED_STATUSES,
    NOTE_TABLE,
    ItemChange,
    answer_id,
    check_run_open,
    check_value,
    next_status,
)
from backend.db.models import ChecklistRun, ChecklistTemplate, ServiceOrder
from backend.offline.batch import InBatch, PushBatch, Record, Undecided
from backend.offline.context import MutationContext

ORDER_TABLE: sa.Table = ServiceOrder.__table__  # type: ignore[assignment]
RUN_TABLE: sa.Table = ChecklistRun.__table__  # type: ignore[assignment]
TEMPLATE_TABLE: sa.Table = ChecklistTemplate.__table__  # type: ignore[assignment]


async def load_orders(batch: PushBatch, ctx: MutationContext, ids: set[uuid.UUID]) -> None:
    """The service orders named, those the actor sees."""
    found = await batch.fetch(ORDER_TABLE, ids, policy.visible_service_orders)
    ctx.memo.visible_orders.update(ids & found.keys())


def visible_order(batch: PushBatch, order_id: uuid.UUID) -> Record:
    order = batch.row(ORDER_TABLE, order_id)
    if order is None:
        raise Undecided()
    return order


async def _load_answers(
    batch: PushBatch, ctx: MutationContext, batch_args: Sequence[ChecklistAnswerArgs]
) -> None:
    run_ids = {args.run_id for args in batch_args}
    runs = await batch.fetch(RUN_TABLE, run_ids, policy.visible_checklist_runs)
    ctx.memo.visible_runs.update(run_ids & runs.keys())
    await load_orders(batch, ctx, {run.service_order_id for run in runs.values()} - {None})
    await batch.fetch(ANSWER_TABLE, {answer_id(args.run_id, args.item_key) for args in batch_args})
    templates = {run.template_id for run in runs.values()} - ctx.memo.template_items.keys()
    if templates:
        found = await batch.fetch(TEMPLATE_TABLE, templates)
        ctx.memo.template_items.update(
            {key: found[key]["items"] for key in templates & found.keys()}
        )


def _item(ctx: MutationContext, run: Record, key: str) -> ChecklistItem:
    for raw in ctx.memo.template_items.get(run.template_id, ()):
        if raw.get("key") == key:
            return msgspec.convert(raw, ChecklistItem)
    raise Undecided()


def _decide_answer(batch: PushBatch, ctx: MutationContext, args: ChecklistAnswerArgs) -> None:
    run = batch.row(RUN_TABLE, args.run_id)
    if run is None:
        raise Undecided()
    order = batch.row(ORDER_TABLE, run.service_order_id)
    if run.service_order_id is not None and order is None:
        raise Undecided()
    key = answer_id(run.id, args.item_key)
    device = {"value": args.value, "note": args.note}
    check_run_open(
        run, order, ItemChange("checklist_answer", key, args.item_key, {"item_key": args.item_key})
    )
    item = _item(ctx, run, args.item_key)
    check_value(item, args.value)
    if item.kind == "signature" or quality.may_find(item):
        raise Undecided()  # a blob to wait for, a follow-up to make: the handler's

    written = {
        **device,
        "answered_by_id": ctx.actor.id,
        "answered_client_id": ctx.client_id,
        "answered_at": ctx.corrected_at,
    }
    answer = batch.row(ANSWER_TABLE, key)
    if answer is None:
        batch.insert(
            ANSWER_TABLE, {"id": key, "run_id": run.id, "item_key": args.item_key, **written}
        )
        return
    if {"value": answer.value, "note": answer.note} == device and answer.deleted_at is None:
        return
    concurrent = answer.answered_client_id != ctx.client_id and (
        ctx.base is None or answer.version is None or answer.version > ctx.base
    )
    if concurrent:
        raise Undecided()  # the later answer wins, the other is kept: the handler's
    batch.update(ANSWER_TABLE, answer, {**written, "deleted_at": None})


async def _load_notes(
    batch: PushBatch, ctx: MutationContext, batch_args: Sequence[ServiceOrderNoteArgs]
) -> None:
    await load_orders(batch, ctx, {args.id for args in batch_args})
    note_ids = {args.note_id for args in batch_args}
    await batch.fetch(NOTE_TABLE, note_ids)
    await batch.fetch_purged(note_ids)


def _decide_note(batch: PushBatch, ctx: MutationContext, args: ServiceOrderNoteArgs) -> None:
    order = visible_order(batch, args.id)
    existing = batch.row(NOTE_TABLE, args.note_id)
    if existing is not None:
        if (existing.service_order_id, existing.text) == (order.id, args.text):
            return  # a resend
        raise Undecided()
    if batch.was_purged(args.note_id) or order.deleted_at is not None:
        raise Undecided()
    if order.status in LOCKED_STATUSES:
        raise Undecided()
    batch.insert(
        NOTE_TABLE,
        {
            "id": args.note_id,
            "service_order_id": order.id,
            "author_id": ctx.actor.id,
            "text": args.text,
            "written_at": ctx.corrected_at,
        },
    )


async def _load_steps(
    batch: PushBatch, ctx: MutationContext, batch_args: Sequence[ServiceOrderStatusArgs]
) -> None:
    await load_orders(batch, ctx, {args.id for args in batch_args})


def _decide_step(batch: PushBatch, ctx: MutationContext, args: ServiceOrderStatusArgs) -> None:
    order = visible_order(batch, args.id)
    wanted = next_status(ctx, order, args.status)
    if wanted is not None:
        batch.update(ORDER_TABLE, order, {"status": wanted, "status_changed_at": ctx.corrected_at})


ANSWER_IN_BATCH = InBatch(_load_answers, _decide_answer)
NOTE_IN_BATCH = InBatch(_load_notes, _decide_note)
STATUS_IN_BATCH = InBatch(_load_steps, _decide_step)
