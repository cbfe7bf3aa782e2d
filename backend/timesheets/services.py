"""Time entries and timesheet weeks: the rules, whatever the path.

    draft --submit--> submitted --approve--> approved --reopen--> draft
      ^ ^                 |  \\--reject--> rejected --submit--> submitted
      | |                 |                  |
      | +---- an edit ----+                  |
      +----------- reopen (supervisor) ------+

An approved week is locked: no entry of it is created, changed or deleted
until someone who decides on the person's time reopens it. Editing a
submitted week sends it back to draft, so nobody approves hours that moved
after they were submitted. The decisions (approve, reject, reopen; a week
or a single line) are ``backend.timesheets.approval``'s.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.db.models import (
    Affair,
    AffairStatus,
    ServiceOrder,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.db.models.timesheets import MAX_MINUTES_PER_DAY
from backend.db.upsert import insert_ignoring_duplicates
from backend.lib.time import parse_week, utc_now, week_of, zone
from backend.offline.batch import Record
from backend.offline.conflicts import keep_conflict
from backend.offline.context import MutationContext
from backend.offline.history import first_snapshot, last_own_snapshot, snapshot_at
from backend.offline.horizon import was_purged
from backend.settings import Settings
from backend.timesheets.schemas import TimeEntryPut
from sync.ids import derived_id
from sync.merge import device_wins, three_way
from sync.outcomes import (
    CONCURRENT_UPDATE,
    DELETE_VS_UPDATE,
    DUPLICATE_ID,
    LOCKED,
    OUT_OF_SCOPE,
    Conflicted,
    Kept,
    Rejected,
)
from sync.rules import Rule, Seen, rule_for

# The fields of an entry a device sets; the rest is the server's.
ENTRY_FIELDS = (
    "affair_id",
    "service_order_id",
    "action_id",
    "work_date",
    "minutes",
    "starts_at",
    "ends_at",
    "time_zone",
    "note",
    "activity",
)
# Columns whose argument in ``time_entry.put`` has another name.
ARG_NAMES = {"time_zone": "tz"}
CLOSED_AFFAIR_STATUSES = (AffairStatus.CLOSED, AffairStatus.LOST)
# Time is entered for days that are plausible: not before the product's
# era, and not further ahead than the company allows (``TimeRules``).
EARLIEST_WORK_DATE = dt.date(2000, 1, 1)
ENTRY_TABLE: sa.Table = TimeEntry.__table__  # type: ignore[assignment]
ENTRY_INSERT = ENTRY_TABLE.insert()
# What a change needs to know of its week: whether it is approved, by whom.
WEEK_LOCK_SEEN = sa.select(
    TimesheetWeek.status,
    TimesheetWeek.version,
    TimesheetWeek.decided_by_id,
    TimesheetWeek.decided_at,
).where(TimesheetWeek.id == sa.bindparam("week_id"))


@dataclass(frozen=True)
class TimeRules:
    """The company's rules for entering time, from its settings.

    ``days_ahead``: how far past today a work date may be (an absence
    planned ahead, a week entered on Friday); 0 allows today at most.
    """

    days_ahead: int = 31
    # Who approves a line of time: "team" or "affair" (``policy.may_decide_on_time``).
    approval: str = "team"

    @classmethod
    def of(cls, settings: Settings) -> TimeRules:
        return cls(days_ahead=settings.time_days_ahead, approval=settings.time_approval)


def week_id(user_id: uuid.UUID, week: str) -> uuid.UUID:
    return derived_id("timesheet_week", user_id, week)


async def find_week(session: AsyncSession, user_id: uuid.UUID, week: str) -> TimesheetWeek | None:
    return await session.get(TimesheetWeek, week_id(user_id, week), populate_existing=True)


async def ensure_week(session: AsyncSession, user_id: uuid.UUID, week: str) -> TimesheetWeek:
    """The person's week, made in draft the first time it is needed."""
    await session.execute(
        insert_ignoring_duplicates(session, TimesheetWeek).values(
            id=week_id(user_id, week),
            user_id=user_id,
            week=week,
            status=WeekStatus.DRAFT,
            total_minutes=0,
        )
    )
    week_row = await session.get(TimesheetWeek, week_id(user_id, week), populate_existing=True)
    assert week_row is not None
    return week_row


async def week_total(session: AsyncSession, user_id: uuid.UUID, week: str) -> int:
    monday, sunday = parse_week(week)
    total = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(TimeEntry.minutes), 0)).where(
            TimeEntry.user_id == user_id,
            TimeEntry.work_date.between(monday, sunday),
            TimeEntry.deleted_at.is_(None),
        )
    )
    return int(total or 0)


async def _week_lock(
    ctx: MutationContext,
    user_id: uuid.UUID,
    day: dt.date,
    entity_id: uuid.UUID,
    device_value: Any,
) -> Conflicted | None:
    """The ``locked`` conflict a change meets when the week holding ``day``
    is approved, naming the week, who approved it and when; else None."""
    week = week_of(day)
    row = (await ctx.session.execute(WEEK_LOCK_SEEN, {"week_id": week_id(user_id, week)})).first()
    if row is None or row.status != WeekStatus.APPROVED:
        return None
    approver = await ctx.session.get(User, row.decided_by_id) if row.decided_by_id else None
    return Conflicted(
        kind=LOCKED,
        entity_type="time_entry",
        entity_id=entity_id,
        code="week_locked",
        server_value={"week": week, "status": row.status.value},
        device_value=as_args(device_value),
        server_version=row.version,
        server_author_id=row.decided_by_id,
        fields={
            "week": week,
            "by": approver.name if approver else "",
            "on": row.decided_at.date().isoformat() if row.decided_at else "",
        },
    )


async def _guard_week_open(
    ctx: MutationContext,
    user_id: uuid.UUID,
    day: dt.date,
    entity_id: uuid.UUID,
    device_value: Any,
) -> None:
    """``Conflicted(locked)`` when the week holding ``day`` is approved."""
    lock = await _week_lock(ctx, user_id, day, entity_id, device_value)
    if lock is not None:
        raise lock


async def _after_entry_change(
    session: AsyncSession, user_id: uuid.UUID, days: set[dt.date]
) -> None:
    """Keep the weeks' totals true; an edit sends a submitted week back to draft."""
    for week in {week_of(day) for day in days}:
        row = await find_week(session, user_id, week)
        if row is None:
            continue
        row.total_minutes = await week_total(session, user_id, week)
        if row.status == WeekStatus.SUBMITTED:
            row.status = WeekStatus.DRAFT
            row.submitted_at = None


async def _check_affair(
    ctx: MutationContext,
    entry_id: uuid.UUID,
    affair_id: uuid.UUID,
    service_order_id: uuid.UUID | None,
) -> None:
    session, actor = ctx.session, ctx.actor
    if (affair_id, service_order_id) in ctx.memo.open_affairs:
        return
    affair = await session.scalar(
        sa.select(Affair).where(Affair.id == affair_id, policy.visible_affairs(actor))
    )
    if affair is None and ctx.held_before("affair", affair_id):
        raise Conflicted(
            kind=OUT_OF_SCOPE,
            entity_type="time_entry",
            entity_id=entry_id,
            code="out_of_scope",
            affair_id=affair_id,
            device_value=msgspec.json.decode(ctx.mutation.args),
        )
    if affair is None or affair.deleted_at is not None:
        raise Rejected("not_found")
    if affair.status in CLOSED_AFFAIR_STATUSES:
        raise Rejected("affair_closed")
    if service_order_id is not None:
        order_affair = await session.scalar(
            sa.select(ServiceOrder.affair_id).where(
                ServiceOrder.id == service_order_id, policy.visible_service_orders(actor)
            )
        )
        if order_affair != affair_id:
            raise Rejected("invalid_input", reason="the service order belongs to another affair")
    ctx.memo.open_affairs.add((affair_id, service_order_id))


async def _check_day(
    session: AsyncSession, user_id: uuid.UUID, day: dt.date, minutes: int, entry_id: uuid.UUID
) -> None:
    others = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(TimeEntry.minutes), 0)).where(
            TimeEntry.user_id == user_id,
            TimeEntry.work_date == day,
            TimeEntry.id != entry_id,
            TimeEntry.deleted_at.is_(None),
        )
    )
    if int(others or 0) + minutes > MAX_MINUTES_PER_DAY:
        raise Rejected("day_over_24h", date=day.isoformat())


def entry_values(
    args: TimeEntryPut, rules: TimeRules, stored: TimeEntry | Record | None = None
) -> dict[str, Any]:
    """The device's entry as column values; an interval decides the minutes.

    Minutes of an interval come from real instants, so a night across a
    clock change counts the hours actually worked. An activity left out
    is the ``stored`` entry's own (none for a new entry).
    """
    try:
        values = _entry_values(args, rules)
    except OverflowError as exc:
        # An instant at the calendar's end, moved into the local zone.
        raise Rejected("invalid_input", reason="a time out of range") from exc
    if args.activity is msgspec.UNSET:
        values["activity"] = stored.activity if stored is not None else None
    else:
        values["activity"] = args.activity
    return values


def _entry_values(args: TimeEntryPut, rules: TimeRules) -> dict[str, Any]:
    values: dict[str, Any] = {
        "affair_id": args.affair_id,
        "service_order_id": args.service_order_id,
        "action_id": args.action_id,
        "work_date": args.work_date,
        "minutes": args.minutes,
        "starts_at": args.starts_at.astimezone(dt.UTC) if args.starts_at else None,
        "ends_at": args.ends_at.astimezone(dt.UTC) if args.ends_at else None,
        "time_zone": args.tz,
        "note": args.note,
    }
    try:
        local_zone = zone(args.tz)
    except ValueError as exc:
        raise Rejected("invalid_input", reason="unknown time zone") from exc
    latest = utc_now().date() + dt.timedelta(days=rules.days_ahead)
    if args.work_date < EARLIEST_WORK_DATE:
        raise Rejected(
            "date_too_early",
            date=args.work_date.isoformat(),
            earliest=EARLIEST_WORK_DATE.isoformat(),
        )
    if args.work_date > latest:
        raise Rejected(
            "date_out_of_range", date=args.work_date.isoformat(), latest=latest.isoformat()
        )
    if args.starts_at and args.starts_at.astimezone(local_zone).date() != args.work_date:
        raise Rejected("invalid_input", reason="the start is not on the work date")
    if values["starts_at"] and values["ends_at"]:
        span = (values["ends_at"] - values["starts_at"]).total_seconds() / 60
        if span <= 0 or span > MAX_MINUTES_PER_DAY:
            raise Rejected("invalid_input", reason="the end must follow the start within a day")
        values["minutes"] = round(span)
    return values


def entry_seen(ctx: MutationContext, entry: TimeEntry | Record, lock: Conflicted | None) -> Seen:
    """What the server knows of a stored entry, for the merge rules."""
    return Seen(
        stored=True,
        deleted=entry.deleted_at is not None,
        locked=lock is not None,
        written_by_device=entry.edited_client_id == ctx.client_id,
        changed_since_base=ctx.base is None or entry.version is None or entry.version > ctx.base,
    )


async def _created_here(ctx: MutationContext, entry: TimeEntry) -> bool:
    """Did this device create the entry (so a change without base is an edit)?"""
    first = await first_snapshot(ctx.session, ENTRY_TABLE, entry.id)
    return first is not None and first.get("edited_client_id") == ctx.client_id


def as_args(values: Any) -> Any:
    """Entry values named as ``time_entry.put`` names them, so that a kept
    side can be sent again as it is."""
    if not isinstance(values, dict):
        return values
    return {ARG_NAMES.get(name, name): value for name, value in values.items()}


def _entry_conflict(
    entry: TimeEntry,
    kind: str,
    server_value: Any,
    device_value: Any,
    fields: dict[str, Any] | None = None,
    code: str | None = None,
) -> Conflicted:
    """A conflict on ``entry`` as the server holds it; explained by its kind,
    or by ``code`` when the kind's words would not fit this side."""
    return Conflicted(
        kind=kind,
        entity_type="time_entry",
        entity_id=entry.id,
        code=code or kind,
        affair_id=entry.affair_id,
        server_value=as_args(server_value),
        device_value=as_args(device_value),
        server_version=entry.version,
        server_author_id=entry.edited_by_id,
        fields=fields or {},
    )


def entry_fields(entry: TimeEntry | Record) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


async def put_entry(ctx: MutationContext, args: TimeEntryPut, rules: TimeRules) -> Kept | None:
    """Create or edit one of the actor's own entries (PROTOCOL merge rules)."""
    session, actor = ctx.session, ctx.actor
    entry = await session.get(TimeEntry, args.id, populate_existing=True)
    device = entry_values(args, rules, entry)

    if entry is None:
        purged = await was_purged(session, args.id)
        if not purged:
            await _check_affair(ctx, args.id, device["affair_id"], device["service_order_id"])
        lock = await _week_lock(ctx, actor.id, device["work_date"], args.id, device)
        rule = rule_for(Seen(stored=False, purged=purged, locked=lock is not None), has_base=False)
        if rule is Rule.LOCKED and lock is not None:
            raise lock
        if rule is Rule.DELETE_VS_UPDATE:
            raise Conflicted(
                kind=DELETE_VS_UPDATE,
                entity_type="time_entry",
                entity_id=args.id,
                code="delete_vs_update",
                device_value=as_args(device),
            )
        await _check_day(session, actor.id, device["work_date"], device["minutes"], args.id)
        # A plain INSERT: the new row is not read back as an object.
        await session.execute(
            ENTRY_INSERT,
            {
                "id": args.id,
                "user_id": actor.id,
                "edited_by_id": actor.id,
                "edited_client_id": ctx.client_id,
                "edited_at": ctx.corrected_at,
                **device,
            },
        )
        await _after_entry_change(session, actor.id, {device["work_date"]})
        return None

    if entry.user_id != actor.id:
        raise Rejected("forbidden")
    server = entry_fields(entry)
    lock = await _week_lock(ctx, actor.id, entry.work_date, entry.id, device)
    seen = entry_seen(ctx, entry, lock)
    if seen.changed_since_base and not seen.written_by_device and ctx.base is None:
        # Only then does it matter whether the device created it itself.
        seen = replace(
            seen, created_here=await _created_here(ctx, entry), same_content=server == device
        )
    rule = rule_for(seen, has_base=ctx.base is not None)

    if rule is Rule.DELETE_VS_UPDATE:
        raise _entry_conflict(entry, DELETE_VS_UPDATE, None, device)
    if rule is Rule.LOCKED and lock is not None:
        raise lock
    if rule is Rule.NOTHING:
        return None
    if rule is Rule.DUPLICATE_ID:
        raise _entry_conflict(entry, DUPLICATE_ID, server, device)
    if rule is Rule.APPLY:
        wanted, contested, won = device, {}, True
    else:
        # An edit of a version the device saw, or of its own creation that
        # it has not pulled back: then its base is the row as it last wrote it.
        base = (
            await snapshot_at(session, ENTRY_TABLE, entry.id, ctx.base)
            if ctx.base is not None
            else await last_own_snapshot(
                session, ENTRY_TABLE, entry.id, ctx.client_id, "edited_client_id"
            )
        )
        base_fields = None if base is None else {name: base.get(name) for name in ENTRY_FIELDS}
        merge = three_way(base_fields, server, device)
        won = device_wins(ctx.corrected_at, entry.edited_at)
        contested = {name: device[name] for name in merge.contested}
        wanted = server | merge.apply | (contested if won else {})

    # Both sides as they stand now, before the write expires the row.
    conflict = _entry_conflict(
        entry,
        CONCURRENT_UPDATE,
        {name: server[name] for name in contested},
        contested,
        fields={"fields": sorted(contested), "device_won": won},
    )
    if wanted != server:
        await _write_entry(ctx, entry, wanted)
    if not contested:
        return None

    conflict_id = await keep_conflict(ctx, conflict)
    return None if won else Kept(conflict_id, CONCURRENT_UPDATE, CONCURRENT_UPDATE)


async def _write_entry(ctx: MutationContext, entry: TimeEntry, wanted: dict[str, Any]) -> None:
    """Check the rules the new values must meet, then write them."""
    session, actor = ctx.session, ctx.actor
    if wanted["work_date"] != entry.work_date:
        await _guard_week_open(ctx, actor.id, wanted["work_date"], entry.id, wanted)
    if (
        wanted["affair_id"] != entry.affair_id
        or wanted["service_order_id"] != entry.service_order_id
    ):
        await _check_affair(ctx, entry.id, wanted["affair_id"], wanted["service_order_id"])
    await _check_day(session, actor.id, wanted["work_date"], wanted["minutes"], entry.id)

    days = {entry.work_date, wanted["work_date"]}
    for name, value in wanted.items():
        setattr(entry, name, value)
    entry.edited_by_id = actor.id
    entry.edited_client_id = ctx.client_id
    entry.edited_at = max(ctx.corrected_at, entry.edited_at or ctx.corrected_at)
    await session.flush()
    await _after_entry_change(session, actor.id, days)


async def delete_entry(ctx: MutationContext, entry_id: uuid.UUID) -> None:
    """Delete one of the actor's entries; an edit made since the device's
    base is never silently discarded (``delete_vs_update``)."""
    session, actor = ctx.session, ctx.actor
    entry = await session.get(TimeEntry, entry_id, populate_existing=True)
    if entry is None or entry.deleted_at is not None:
        return  # nothing left to delete, whatever the rules say of edits
    if entry.user_id != actor.id:
        raise Rejected("forbidden")
    lock = await _week_lock(ctx, actor.id, entry.work_date, entry.id, {"deleted": True})
    rule = rule_for(entry_seen(ctx, entry, lock), has_base=ctx.base is not None, deleting=True)
    if rule is Rule.LOCKED and lock is not None:
        raise lock
    if rule is Rule.DELETE_VS_UPDATE:
        # The delete is the late side here: the record is not deleted.
        raise _entry_conflict(
            entry,
            DELETE_VS_UPDATE,
            entry_fields(entry),
            {"deleted": True},
            code="changed_before_delete",
        )
    entry.deleted_at = utc_now()
    entry.edited_by_id = actor.id
    entry.edited_client_id = ctx.client_id
    entry.edited_at = ctx.corrected_at
    await session.flush()
    await _after_entry_change(session, actor.id, {entry.work_date})


async def submit_week(ctx: MutationContext, week: str) -> None:
    session, actor = ctx.session, ctx.actor
    row = await ensure_week(session, actor.id, week)
    if row.status == WeekStatus.SUBMITTED:
        return
    if row.status == WeekStatus.APPROVED:
        await _guard_week_open(ctx, actor.id, parse_week(week)[0], row.id, {"submit": week})
    row.status = WeekStatus.SUBMITTED
    row.submitted_at = utc_now()
    row.reason = None
    row.total_minutes = await week_total(session, actor.id, week)
