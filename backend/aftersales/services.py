"""Service orders and checklists: the rules a technician's changes meet.

Status steps of a service order::

    planned --> in_progress --> done --> closed
       |            |  ^          |        |
       +--> cancelled  +----------+        +--> done (office reopens)

Technicians move their own orders between planned, in progress and done;
closing, cancelling and reopening are the office's (supervisor and up).
A closed or cancelled order, and a signed checklist, are locked.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.access import policy
from backend.aftersales import quality
from backend.aftersales.schemas import (
    ChecklistAnswerArgs,
    ChecklistAttachArgs,
    ChecklistItem,
    ServiceOrderNoteArgs,
)
from backend.db.models import (
    ChecklistAnswer,
    ChecklistPhoto,
    ChecklistRun,
    ChecklistRunStatus,
    ChecklistTemplate,
    Role,
    ServiceOrder,
    ServiceOrderKind,
    ServiceOrderNote,
    ServiceOrderStatus,
)
from backend.offline.batch import Record
from backend.offline.blobs import HEX, wait_for_blob
from backend.offline.conflicts import keep_conflict
from backend.offline.context import MutationContext
from backend.offline.horizon import was_purged
from sync.ids import derived_id
from sync.merge import device_wins
from sync.outcomes import (
    CONCURRENT_UPDATE,
    DELETE_VS_UPDATE,
    LOCKED,
    OUT_OF_SCOPE,
    PARENT_DELETED,
    Conflicted,
    Kept,
    Rejected,
)
from sync.rules import Rule, Seen, rule_for_addition

S = ServiceOrderStatus
LOCKED_STATUSES = (S.CLOSED, S.CANCELLED)
TECHNICIAN_STEPS = {
    (S.PLANNED, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.DONE),
    (S.DONE, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.PLANNED),
}
OFFICE_STEPS = TECHNICIAN_STEPS | {
    (S.DONE, S.CLOSED),
    (S.PLANNED, S.CANCELLED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.CLOSED, S.DONE),
    (S.CANCELLED, S.PLANNED),
}
OFFICE_ROLES = (Role.ADMIN, Role.MANAGER, Role.SUPERVISOR)
ANSWER_TABLE: sa.Table = ChecklistAnswer.__table__  # type: ignore[assignment]
NOTE_TABLE: sa.Table = ServiceOrderNote.__table__  # type: ignore[assignment]
ANSWER_INSERT = ANSWER_TABLE.insert()
NOTE_INSERT = NOTE_TABLE.insert()
ANSWER_UPDATE = ANSWER_TABLE.update().where(ANSWER_TABLE.c.id == sa.bindparam("answer_id"))
NOTE_SEEN = sa.select(ServiceOrderNote.service_order_id, ServiceOrderNote.text).where(
    ServiceOrderNote.id == sa.bindparam("note_id")
)


def answer_id(run_id: uuid.UUID, item_key: str) -> uuid.UUID:
    return derived_id("checklist_answer", run_id, item_key)


async def next_order_number(session: AsyncSession, year: int) -> str:
    """The next free human number of the year: ``SO-2026-0042``."""
    prefix = f"SO-{year}-"
    last = await session.scalar(
        sa.select(sa.func.max(ServiceOrder.number)).where(ServiceOrder.number.like(prefix + "%"))
    )
    following = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{following:04d}"


_ORDER_BY_ID = (
    sa.select(ServiceOrder)
    .where(ServiceOrder.id == sa.bindparam("order_id"))
    .execution_options(populate_existing=True)
)


async def _visible_order(ctx: MutationContext, order_id: uuid.UUID) -> ServiceOrder:
    known = order_id in ctx.memo.visible_orders
    order = await ctx.session.scalar(
        _ORDER_BY_ID if known else _ORDER_BY_ID.where(policy.visible_service_orders(ctx.actor)),
        {"order_id": order_id},
    )
    if order is not None:
        ctx.memo.visible_orders.add(order_id)
    else:
        if await was_purged(ctx.session, order_id):
            raise Conflicted(
                kind=DELETE_VS_UPDATE,
                entity_type="service_order",
                entity_id=order_id,
                code="delete_vs_update",
            )
        if ctx.held_before("service_order", order_id):
            raise Conflicted(
                kind=OUT_OF_SCOPE,
                entity_type="service_order",
                entity_id=order_id,
                code="out_of_scope",
                device_value=msgspec.json.decode(ctx.mutation.args),
            )
        raise Rejected("not_found")
    return order


def _order_locked(
    order: ServiceOrder | Record, entity_type: str, entity_id: uuid.UUID, device: Any
) -> Conflicted:
    return Conflicted(
        kind=LOCKED,
        entity_type=entity_type,
        entity_id=entity_id,
        code="service_order_locked",
        affair_id=order.affair_id,
        server_value={"status": order.status.value},
        device_value=device,
        server_version=order.version,
        fields={"number": order.number, "status": order.status.value},
    )


async def set_order_status(ctx: MutationContext, order_id: uuid.UUID, target: str) -> None:
    order = await _visible_order(ctx, order_id)
    wanted = next_status(ctx, order, target)
    if wanted is not None:
        order.status = wanted
        order.status_changed_at = ctx.corrected_at


def next_status(ctx: MutationContext, order: Any, target: str) -> ServiceOrderStatus | None:
    """The status ``order`` takes, None when it is there already; a
    conflict or a refusal when the actor may not make that step now."""
    wanted = S(target)
    device = {"status": target}
    if order.deleted_at is not None:
        raise Conflicted(
            kind=DELETE_VS_UPDATE,
            entity_type="service_order",
            entity_id=order.id,
            code="delete_vs_update",
            affair_id=order.affair_id,
            device_value=device,
            server_version=order.version,
        )
    if order.status == wanted:
        return None
    office = ctx.actor.role in OFFICE_ROLES
    # A repair's status follows its steps; the office only cancels or closes it.
    if order.kind == ServiceOrderKind.REPAIR and wanted not in LOCKED_STATUSES:
        raise Rejected("repair_moves_by_steps", current=S(order.status).value, target=target)
    if order.status in LOCKED_STATUSES and not office:
        raise _order_locked(order, "service_order", order.id, device)
    steps = OFFICE_STEPS if office else TECHNICIAN_STEPS
    if (order.status, wanted) not in steps:
        raise Rejected("bad_transition", current=S(order.status).value, target=target)
    return wanted


async def add_order_note(ctx: MutationContext, args: ServiceOrderNoteArgs) -> None:
    """Notes are only added; the device's id makes a resend harmless."""
    order = await _visible_order(ctx, args.id)
    device = {"text": args.text}
    existing = (await ctx.session.execute(NOTE_SEEN, {"note_id": args.note_id})).first()
    seen = Seen(
        stored=existing is not None,
        purged=existing is None and await was_purged(ctx.session, args.note_id),
        same_content=existing is not None
        and (existing.service_order_id, existing.text) == (order.id, args.text),
        parent_deleted=order.deleted_at is not None,
        locked=order.status in LOCKED_STATUSES,
    )
    rule = rule_for_addition(seen)
    if rule is Rule.NOTHING:
        return
    if rule is Rule.LOCKED:
        raise _order_locked(order, "service_order_note", args.note_id, device)
    if rule.is_conflict:
        raise Conflicted(
            kind=rule.value,
            entity_type="service_order_note",
            entity_id=args.note_id,
            code=rule.value,
            affair_id=order.affair_id,
            server_value={"text": existing.text} if existing is not None else None,
            device_value=device,
        )
    await ctx.session.execute(
        NOTE_INSERT,
        {
            "id": args.note_id,
            "service_order_id": order.id,
            "author_id": ctx.actor.id,
            "text": args.text,
            "written_at": ctx.corrected_at,
        },
    )


def check_value(item: ChecklistItem, value: Any) -> None:
    """``Rejected(bad_value)`` when the value cannot answer this item.

    A number outside the item's bounds is a valid answer (the reading is
    what it is); it is flagged, not refused.
    """
    if value is None:
        return
    if item.kind == "yes_no" and not isinstance(value, bool):
        raise Rejected("bad_value", reason="yes or no expected")
    if item.kind == "choice" and value not in (item.choices or []):
        raise Rejected("bad_value", reason="one of the choices expected")
    if item.kind == "number" and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise Rejected("bad_value", reason="a number expected")
    if item.kind == "text" and not isinstance(value, str):
        raise Rejected("bad_value", reason="a text expected")
    if item.kind == "photo":
        raise Rejected("bad_value", reason="a photo is attached, not answered")
    if item.kind == "signature" and not (
        isinstance(value, str) and len(value) == 64 and set(value) <= HEX
    ):
        raise Rejected("bad_value", reason="the hash of the signature's image expected")


def out_of_bounds(item: ChecklistItem, value: Any) -> bool:
    if item.kind != "number" or not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return (item.min is not None and value < item.min) or (
        item.max is not None and value > item.max
    )


async def _template_item(ctx: MutationContext, run: ChecklistRun, key: str) -> ChecklistItem:
    items = ctx.memo.template_items.get(run.template_id)
    if items is None:
        items = await ctx.session.scalar(
            sa.select(ChecklistTemplate.items).where(ChecklistTemplate.id == run.template_id)
        )
        assert items is not None
        ctx.memo.template_items[run.template_id] = items
    for raw in items:
        if raw.get("key") == key:
            return msgspec.convert(raw, ChecklistItem)
    raise Rejected("unknown_item", item_key=key)


@dataclass(frozen=True)
class ItemChange:
    """A change to one item of a run, as a conflict would name it."""

    entity_type: str
    entity_id: uuid.UUID
    item_key: str
    device: dict[str, Any]

    def conflict(
        self, kind: str, code: str, run: ChecklistRun | Record | None = None, **sides: Any
    ) -> Conflicted:
        return Conflicted(
            kind=kind,
            entity_type=self.entity_type,
            entity_id=self.entity_id,
            code=code,
            affair_id=run.affair_id if run is not None else None,
            device_value=self.device,
            fields={"item_key": self.item_key},
            **sides,
        )


# The run's service order, read with the run: aliased, so that the
# visibility rule's own subquery on service orders stays uncorrelated.
_RUN_ORDER = aliased(ServiceOrder)
_RUN_BY_ID = (
    sa.select(ChecklistRun, _RUN_ORDER)
    .outerjoin(_RUN_ORDER, _RUN_ORDER.id == ChecklistRun.service_order_id)
    .where(ChecklistRun.id == sa.bindparam("run_id"))
    .execution_options(populate_existing=True)
)


class _StoredAnswer(NamedTuple):
    """An answer as the merge rules read it; written back by plain
    statements, since no object of it is needed."""

    id: uuid.UUID | None
    value: Any
    note: str | None
    deleted_at: dt.datetime | None
    answered_by_id: uuid.UUID | None
    answered_client_id: uuid.UUID | None
    answered_at: dt.datetime | None
    version: int | None


# The run, its order and the answer an answering mutation names, in one
# statement (the answer's columns are all NULL when there is none yet).
_RUN_AND_ANSWER_BY_ID = (
    sa.select(
        ChecklistRun,
        _RUN_ORDER,
        *(getattr(ChecklistAnswer, name) for name in _StoredAnswer._fields),
    )
    .outerjoin(_RUN_ORDER, _RUN_ORDER.id == ChecklistRun.service_order_id)
    .outerjoin(ChecklistAnswer, ChecklistAnswer.id == sa.bindparam("answer_id"))
    .where(ChecklistRun.id == sa.bindparam("run_id"))
    .execution_options(populate_existing=True)
)


async def _visible_run(
    ctx: MutationContext,
    run_id: uuid.UUID,
    change: ItemChange,
    answer_key: uuid.UUID | None = None,
) -> tuple[ChecklistRun, ServiceOrder | None, _StoredAnswer | None]:
    """The run and its service order (and the answer of ``answer_key``),
    when the actor sees the run; a conflict when it went away."""
    known = run_id in ctx.memo.visible_runs
    statement = _RUN_BY_ID if answer_key is None else _RUN_AND_ANSWER_BY_ID
    if not known:
        statement = statement.where(policy.visible_checklist_runs(ctx.actor))
    params = (
        {"run_id": run_id} if answer_key is None else {"run_id": run_id, "answer_id": answer_key}
    )
    found = (await ctx.session.execute(statement, params)).first()
    if found is not None:
        ctx.memo.visible_runs.add(run_id)
    else:
        if await was_purged(ctx.session, run_id):
            raise change.conflict(PARENT_DELETED, "parent_deleted")
        if ctx.held_before("checklist_run", run_id):
            raise change.conflict(OUT_OF_SCOPE, "out_of_scope")
        raise Rejected("not_found")
    stored = _StoredAnswer(*found[2:]) if answer_key is not None else None
    return found[0], found[1], stored if stored is not None and stored.id is not None else None


def check_run_open(
    run: ChecklistRun | Record, order: ServiceOrder | Record | None, change: ItemChange
) -> None:
    """A conflict when the run takes no more changes: it or its order was
    deleted, the order is closed or cancelled, the checklist is signed."""
    if run.deleted_at is not None:
        raise change.conflict(PARENT_DELETED, "parent_deleted", run)
    if run.service_order_id is not None:
        assert order is not None
        if order.deleted_at is not None:
            raise change.conflict(PARENT_DELETED, "parent_deleted", run)
        if order.status in LOCKED_STATUSES:
            raise _order_locked(order, change.entity_type, change.entity_id, change.device)
    if run.status == ChecklistRunStatus.SIGNED:
        raise Conflicted(
            kind=LOCKED,
            entity_type=change.entity_type,
            entity_id=change.entity_id,
            code="checklist_locked",
            affair_id=run.affair_id,
            device_value=change.device,
            server_version=run.version,
        )


async def _answerable_run(
    ctx: MutationContext, args: ChecklistAnswerArgs
) -> tuple[ChecklistRun, ServiceOrder | None, _StoredAnswer | None]:
    """The run, when the actor may answer it now, and the item's answer so
    far; a conflict when the run went away."""
    change = ItemChange(
        "checklist_answer",
        answer_id(args.run_id, args.item_key),
        args.item_key,
        {"item_key": args.item_key, "value": args.value, "note": args.note},
    )
    run, order, answer = await _visible_run(ctx, args.run_id, change, change.entity_id)
    check_run_open(run, order, change)
    return run, order, answer


async def answer_item(ctx: MutationContext, args: ChecklistAnswerArgs) -> Kept | None:
    """Set the one answer of an item (PROTOCOL merge rules).

    Two devices answering the same item while apart: the later answer by
    corrected device time stands, the other is kept as a conflict. An
    answer to an item its conditions hide is kept (the condition may show
    it again), never required. The answer that stands decides the item's
    non-conformity (``backend.aftersales.quality``).
    """
    session = ctx.session
    run, order, answer = await _answerable_run(ctx, args)
    item = await _template_item(ctx, run, args.item_key)
    check_value(item, args.value)
    if item.kind == "signature" and args.value is not None:
        await _signature_here(ctx, run, args)

    async def follow(value: Any) -> None:
        await quality.follow_answer(
            session, run, order, item, value, answered_by=ctx.actor.id, at=ctx.corrected_at
        )

    key = answer_id(run.id, args.item_key)
    if answer is None:
        # A plain INSERT: nothing reads the new row back in this mutation,
        # so the unit of work (and its RETURNING) would be cost only.
        await session.execute(
            ANSWER_INSERT,
            {
                "id": key,
                "run_id": run.id,
                "item_key": args.item_key,
                "value": args.value,
                "note": args.note,
                "answered_by_id": ctx.actor.id,
                "answered_client_id": ctx.client_id,
                "answered_at": ctx.corrected_at,
            },
        )
        await follow(args.value)
        return None

    server = {"value": answer.value, "note": answer.note}
    device = {"value": args.value, "note": args.note}
    if server == device and answer.deleted_at is None:
        return None
    concurrent = answer.answered_client_id != ctx.client_id and (
        ctx.base is None or answer.version is None or answer.version > ctx.base
    )
    won = not concurrent or device_wins(ctx.corrected_at, answer.answered_at)
    previous = (answer.answered_by_id, answer.version)
    if won:
        await session.execute(
            ANSWER_UPDATE,
            {
                "answer_id": key,
                "value": args.value,
                "note": args.note,
                "deleted_at": None,
                "answered_by_id": ctx.actor.id,
                "answered_client_id": ctx.client_id,
                "answered_at": ctx.corrected_at,
            },
        )
        await follow(args.value)
    if not concurrent:
        return None

    conflict_id = await keep_conflict(
        ctx,
        Conflicted(
            kind=CONCURRENT_UPDATE,
            entity_type="checklist_answer",
            entity_id=key,
            code="concurrent_update",
            affair_id=run.affair_id,
            server_value=server,
            device_value=device,
            server_version=previous[1],
            server_author_id=previous[0],
            fields={"item_key": args.item_key, "device_won": won},
        ),
    )
    return None if won else Kept(conflict_id, CONCURRENT_UPDATE, "concurrent_update")


async def _signature_here(
    ctx: MutationContext, run: ChecklistRun, args: ChecklistAnswerArgs
) -> None:
    """A signature names its image by hash: the answer waits for the
    image (``missing_blob``) as a photo does."""
    assert isinstance(args.value, str)
    await wait_for_blob(
        ctx,
        args.value,
        entity_type="checklist_answer",
        entity_id=answer_id(run.id, args.item_key),
        affair_id=run.affair_id,
        device_value={"item_key": args.item_key, "value": args.value, "note": args.note},
    )


async def attach_photo(ctx: MutationContext, args: ChecklistAttachArgs) -> None:
    """Add a photo to an item. Photos are only added, never replace another.

    The photo's id is the device's: the same photo sent again is a no-op,
    another photo under that id a ``duplicate_id`` conflict. A photo whose
    blob the server does not hold yet is held (``missing_blob``) and
    applied when the blob arrives (``backend.offline.blobs``).
    """
    session = ctx.session
    device = {"item_key": args.item_key, "sha256": args.sha256, "note": args.note}
    change = ItemChange("checklist_photo", args.photo_id, args.item_key, device)
    run, order, _ = await _visible_run(ctx, args.run_id, change)

    existing = await session.get(ChecklistPhoto, args.photo_id, populate_existing=True)
    stored = (
        {"item_key": existing.item_key, "sha256": existing.sha256, "note": existing.note}
        if existing is not None
        else None
    )
    # Whether the run is open is asked next (`check_run_open`), in the
    # rules' order: a resend of a stored photo is harmless even then.
    rule = rule_for_addition(
        Seen(
            stored=existing is not None,
            same_content=existing is not None and existing.run_id == run.id and stored == device,
            purged=existing is None and await was_purged(session, args.photo_id),
        )
    )
    if rule is Rule.NOTHING:
        return
    if rule.is_conflict:
        raise change.conflict(rule.value, rule.value, run, server_value=stored)
    check_run_open(run, order, change)
    await _template_item(ctx, run, args.item_key)

    await wait_for_blob(
        ctx,
        args.sha256,
        entity_type="checklist_photo",
        entity_id=args.photo_id,
        affair_id=run.affair_id,
        device_value=device,
    )
    session.add(
        ChecklistPhoto(
            id=args.photo_id,
            run_id=run.id,
            item_key=args.item_key,
            sha256=args.sha256,
            note=args.note,
            taken_by_id=ctx.actor.id,
            taken_at=ctx.corrected_at,
        )
    )
