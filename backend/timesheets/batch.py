"""Time entries decided inside a batch (``backend.offline.batch``).

The plain cases only: a new entry on an open affair, in a week not
approved, within 24 hours a day; an edit of an entry this device wrote
last. The days' and weeks' totals are kept in memory from the person's
entries of every week the batch touches, read once. Whatever the rules
would refuse, merge or keep as a conflict goes to the handler.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from backend.access import policy
from backend.aftersales.batch import ORDER_TABLE, load_orders
from backend.db.models import Affair, TimesheetWeek, WeekStatus
from backend.db.models.timesheets import MAX_MINUTES_PER_DAY
from backend.lib.time import parse_week, week_of
from backend.offline.batch import InBatch, PushBatch, Undecided, among
from backend.offline.context import MutationContext
from backend.timesheets.schemas import TimeEntryPut
from backend.timesheets.services import (
    CLOSED_AFFAIR_STATUSES,
    ENTRY_TABLE,
    TimeRules,
    entry_fields,
    entry_seen,
    entry_values,
    week_id,
)
from sync.outcomes import Rejected
from sync.rules import Rule, rule_for

AFFAIR_TABLE: sa.Table = Affair.__table__  # type: ignore[assignment]
WEEK_TABLE: sa.Table = TimesheetWeek.__table__  # type: ignore[assignment]


@dataclass
class DaysWorked:
    """The actor's minutes on each day of the weeks the batch touches (live
    entries only), and where each live entry the batch names stands: a
    day's other entries are its total less the entry's own minutes."""

    totals: dict[dt.date, int] = field(default_factory=dict)
    placed: dict[uuid.UUID, tuple[dt.date, int]] = field(default_factory=dict)

    def knows(self, day: dt.date) -> bool:
        return day in self.totals

    def others(self, day: dt.date, entry_id: uuid.UUID) -> int:
        where = self.placed.get(entry_id)
        own = where[1] if where is not None and where[0] == day else 0
        return self.totals[day] - own

    def week_total(self, week: str) -> int:
        monday, _ = parse_week(week)
        return sum(self.totals.get(monday + dt.timedelta(days=n), 0) for n in range(7))

    def move(self, entry_id: uuid.UUID, day: dt.date, minutes: int) -> None:
        where = self.placed.get(entry_id)
        if where is not None:
            self.totals[where[0]] -= where[1]
        self.totals[day] += minutes
        self.placed[entry_id] = (day, minutes)


async def _load_entries(
    batch: PushBatch, ctx: MutationContext, batch_args: Sequence[TimeEntryPut], rules: TimeRules
) -> None:
    actor = ctx.actor
    batch_args = [args for args in batch_args if _plausible(args, rules)]
    entries = await batch.fetch(ENTRY_TABLE, {args.id for args in batch_args})
    await batch.fetch_purged(args.id for args in batch_args if args.id not in entries)
    await batch.fetch(AFFAIR_TABLE, {args.affair_id for args in batch_args}, policy.visible_affairs)
    await load_orders(
        batch,
        ctx,
        {args.service_order_id for args in batch_args if args.service_order_id is not None},
    )

    own = [
        entry
        for entry in entries.values()
        if entry.user_id == actor.id and entry.deleted_at is None
    ]
    weeks = {
        week_of(day) for day in [*(e.work_date for e in own), *(a.work_date for a in batch_args)]
    }
    await batch.fetch(WEEK_TABLE, {week_id(actor.id, week) for week in weeks})
    days = [monday + dt.timedelta(days=n) for monday, _ in map(parse_week, weeks) for n in range(7)]
    worked = batch.part(DaysWorked)
    worked.totals.update(dict.fromkeys(days, 0))
    worked.placed.update({entry.id: (entry.work_date, entry.minutes) for entry in own})
    found = await batch.execute(
        _minutes_by_day(batch.on_postgresql), {"user_id": actor.id, "ids": days}
    )
    worked.totals.update({row.work_date: int(row.minutes) for row in found})


@functools.lru_cache(maxsize=2)
def _minutes_by_day(on_postgresql: bool) -> sa.Select[Any]:
    """A person's minutes on each of the days given as ``ids`` (live entries)."""
    return (
        sa.select(ENTRY_TABLE.c.work_date, sa.func.sum(ENTRY_TABLE.c.minutes).label("minutes"))
        .where(
            ENTRY_TABLE.c.user_id == sa.bindparam("user_id"),
            among(ENTRY_TABLE.c.work_date, on_postgresql),
            ENTRY_TABLE.c.deleted_at.is_(None),
        )
        .group_by(ENTRY_TABLE.c.work_date)
    )


def _plausible(args: TimeEntryPut, rules: TimeRules) -> bool:
    """Args the rules would not refuse outright (a date out of range...)."""
    try:
        entry_values(args, rules)
    except Rejected:
        return False
    return True


def _check_affair(
    batch: PushBatch, ctx: MutationContext, affair_id: uuid.UUID, order_id: uuid.UUID | None
) -> None:
    """The affair is open to the actor, and the order (if any) is of it."""
    if (affair_id, order_id) in ctx.memo.open_affairs:
        return
    affair = batch.row(AFFAIR_TABLE, affair_id)
    if affair is None or affair.deleted_at is not None:
        raise Undecided()
    if affair.status in CLOSED_AFFAIR_STATUSES:
        raise Undecided()
    if order_id is not None:
        order = batch.row(ORDER_TABLE, order_id)
        if order is None or order.affair_id != affair_id:
            raise Undecided()
    ctx.memo.open_affairs.add((affair_id, order_id))


def _week_open(batch: PushBatch, ctx: MutationContext, day: dt.date) -> None:
    week = batch.row(WEEK_TABLE, week_id(ctx.actor.id, week_of(day)))
    if week is not None and week.status == WeekStatus.APPROVED:
        raise Undecided()  # the locked conflict names the approver: the handler's


def _day_holds(worked: DaysWorked, day: dt.date, minutes: int, entry_id: uuid.UUID) -> None:
    if not worked.knows(day) or worked.others(day, entry_id) + minutes > MAX_MINUTES_PER_DAY:
        raise Undecided()


def _weeks_follow(batch: PushBatch, ctx: MutationContext, days: set[dt.date]) -> None:
    """As ``services._after_entry_change``: totals true, a submitted week
    back to draft."""
    worked = batch.part(DaysWorked)
    for week in {week_of(day) for day in days}:
        row = batch.row(WEEK_TABLE, week_id(ctx.actor.id, week))
        if row is None:
            continue
        changes: dict[str, Any] = {"total_minutes": worked.week_total(week)}
        if row.status == WeekStatus.SUBMITTED:
            changes |= {"status": WeekStatus.DRAFT, "submitted_at": None}
        if any(row[name] != value for name, value in changes.items()):
            batch.update(
                WEEK_TABLE,
                row,
                {
                    name: changes.get(name, row[name])
                    for name in ("total_minutes", "status", "submitted_at")
                },
            )


def _decide_put(
    batch: PushBatch, ctx: MutationContext, args: TimeEntryPut, rules: TimeRules
) -> None:
    actor = ctx.actor
    worked = batch.part(DaysWorked)
    entry = batch.row(ENTRY_TABLE, args.id)
    device = entry_values(args, rules, entry)

    if entry is None:
        if batch.was_purged(args.id):
            raise Undecided()
        _check_affair(batch, ctx, device["affair_id"], device["service_order_id"])
        _week_open(batch, ctx, device["work_date"])
        _day_holds(worked, device["work_date"], device["minutes"], args.id)
        batch.insert(
            ENTRY_TABLE,
            {
                "id": args.id,
                "user_id": actor.id,
                "edited_by_id": actor.id,
                "edited_client_id": ctx.client_id,
                "edited_at": ctx.corrected_at,
                **device,
            },
        )
        worked.move(args.id, device["work_date"], device["minutes"])
        _weeks_follow(batch, ctx, {device["work_date"]})
        return

    if entry.user_id != actor.id:
        raise Undecided()
    _week_open(batch, ctx, entry.work_date)
    seen = entry_seen(ctx, entry, None)
    if seen.changed_since_base and not seen.written_by_device and ctx.base is None:
        raise Undecided()  # did this device create it? The handler reads the history.
    rule = rule_for(seen, has_base=ctx.base is not None)
    if rule is Rule.NOTHING:
        return
    if rule is not Rule.APPLY:
        raise Undecided()
    if device == entry_fields(entry):
        return

    if device["work_date"] != entry.work_date:
        _week_open(batch, ctx, device["work_date"])
    if (device["affair_id"], device["service_order_id"]) != (
        entry.affair_id,
        entry.service_order_id,
    ):
        _check_affair(batch, ctx, device["affair_id"], device["service_order_id"])
    _day_holds(worked, device["work_date"], device["minutes"], entry.id)

    days = {entry.work_date, device["work_date"]}
    worked.move(entry.id, device["work_date"], device["minutes"])
    batch.update(
        ENTRY_TABLE,
        entry,
        {
            **device,
            "edited_by_id": actor.id,
            "edited_client_id": ctx.client_id,
            "edited_at": max(ctx.corrected_at, entry.edited_at or ctx.corrected_at),
        },
    )
    _weeks_follow(batch, ctx, days)


def entry_in_batch(rules: TimeRules) -> InBatch[TimeEntryPut]:
    """``time_entry.put`` inside a batch, under the company's ``rules``."""

    async def load(
        batch: PushBatch, ctx: MutationContext, batch_args: Sequence[TimeEntryPut]
    ) -> None:
        await _load_entries(batch, ctx, batch_args, rules)

    def decide(batch: PushBatch, ctx: MutationContext, args: TimeEntryPut) -> None:
        _decide_put(batch, ctx, args, rules)

    return InBatch(load, decide)
