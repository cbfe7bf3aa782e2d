"""Approval of time, line by line and week by week.

Each line (time entry) is approved or rejected by whoever may decide on
it (``policy.may_decide_on_time``, under the company's route). A week is
approved once every live line of it stands approved: in the "team" route
one decision approves them all; in the "affair" route each affair's
manager approves their own lines and the last of them completes the week.

    line:  pending --approve--> approved --any change--> changed since approved
              |                    ^                          |
              +--reject--> rejected (the week with it)        +--approve--+

An approval stands only while the entry still holds ``approved_values``,
the fields as they were approved. The comparison is made when the line
is read, not when it is written, so a change by any path (a device, the
back office, a hand-run SQL fix) shows the line as changed since: it is
pending again in costs, and its week is not approved as a whole until
someone looks at the line again. A reopened week keeps the approved
values, so the second look shows what moved.

Approving a line also keeps its cost (``approved_costs``): a rate edited
or back-dated later changes no approved cost.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from backend.access import policy
from backend.db.models import (
    Affair,
    ApprovedCost,
    LineDecision,
    TimeEntry,
    TimesheetWeek,
    User,
    WeekStatus,
)
from backend.lib.money import labour_cost_cents
from backend.lib.time import parse_week, utc_now, week_of
from backend.offline.batch import Record
from backend.offline.context import MutationContext
from backend.people.services import rate_on, rates_by_person
from backend.timesheets.services import ENTRY_FIELDS, ensure_week, week_total
from sync.outcomes import Rejected


class LineState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    # Approved once, changed since: waiting for another look.
    CHANGED = "changed"
    REJECTED = "rejected"


def _as_json(value: Any) -> Any:
    """A field as ``approved_values`` keeps it (JSON), the same whichever
    database it was read from."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def approvable_values(entry: TimeEntry | Record) -> dict[str, Any]:
    """The entry's fields as an approval keeps them."""
    return {name: _as_json(getattr(entry, name)) for name in ENTRY_FIELDS}


def line_state(entry: TimeEntry | Record) -> LineState:
    if entry.decision == LineDecision.REJECTED:
        return LineState.REJECTED
    if entry.decision == LineDecision.APPROVED:
        if entry.approved_values == approvable_values(entry):
            return LineState.APPROVED
        return LineState.CHANGED
    return LineState.PENDING


def stands_approved(entry: TimeEntry | Record) -> bool:
    return line_state(entry) is LineState.APPROVED


@dataclass(frozen=True)
class Line:
    """A live entry with what deciding on it depends on."""

    entry: TimeEntry
    affair_code: str
    affair_manager_id: uuid.UUID | None


async def _week_lines(ctx: MutationContext, user_id: uuid.UUID, week: str) -> list[Line]:
    monday, sunday = parse_week(week)
    rows = await ctx.session.execute(
        sa.select(TimeEntry, Affair.code, Affair.manager_id)
        .join(Affair, Affair.id == TimeEntry.affair_id)
        .where(
            TimeEntry.user_id == user_id,
            TimeEntry.work_date.between(monday, sunday),
            TimeEntry.deleted_at.is_(None),
        )
        .execution_options(populate_existing=True)
    )
    return [Line(entry, code, manager_id) for entry, code, manager_id in rows]


async def _person(ctx: MutationContext, user_id: uuid.UUID) -> User:
    person = await ctx.session.get(User, user_id)
    if person is None:
        raise Rejected("not_found")
    if person.id == ctx.actor.id:
        raise Rejected("own_week")
    return person


def _decides(ctx: MutationContext, person: User, line: Line | None, route: str) -> bool:
    manager_id = line.affair_manager_id if line is not None else None
    return policy.may_decide_on_time(ctx.actor, person, manager_id, route)


async def _keep_costs(ctx: MutationContext, entries: list[TimeEntry], now: dt.datetime) -> None:
    """Each entry's cost at the rate valid on its work date for its
    activity (else the person's general rate), kept as approved."""
    people = {entry.user_id for entry in entries}
    rates = await rates_by_person(ctx.session, people)
    for entry in entries:
        rate = rate_on(rates.get(entry.user_id, []), entry.work_date, entry.activity)
        cost = await ctx.session.get(ApprovedCost, entry.id)
        if cost is None:
            cost = ApprovedCost(entry_id=entry.id)
            ctx.session.add(cost)
        cost.cents = labour_cost_cents(entry.minutes, rate)
        cost.cents_per_hour = rate
        cost.approved_at = now


async def _approve_lines(ctx: MutationContext, entries: list[TimeEntry]) -> None:
    if not entries:
        return
    now = utc_now()
    for entry in entries:
        entry.decision = LineDecision.APPROVED
        entry.decided_by_id = ctx.actor.id
        entry.decided_at = now
        entry.decision_reason = None
        entry.approved_values = approvable_values(entry)
    await _keep_costs(ctx, entries, now)
    await ctx.session.flush()


async def _keep_week_approval(
    ctx: MutationContext, row: TimesheetWeek, entries: list[TimeEntry]
) -> None:
    """Lines of an approved week that have no decision of their own (the
    week was approved before lines were, or imported so): the week's
    approval is theirs, recorded before it is undone, so that a change
    made once reopened shows as changed since approved."""
    undecided = [entry for entry in entries if entry.decision is None]
    if not undecided:
        return
    decided_at = row.decided_at or utc_now()
    for entry in undecided:
        entry.decision = LineDecision.APPROVED
        entry.decided_by_id = row.decided_by_id
        entry.decided_at = decided_at
        entry.approved_values = approvable_values(entry)
    await _keep_costs(ctx, undecided, decided_at)
    await ctx.session.flush()


async def _complete_week(ctx: MutationContext, row: TimesheetWeek, lines: list[Line]) -> None:
    """A submitted week whose every live line stands approved is approved."""
    if row.status != WeekStatus.SUBMITTED:
        return
    if not all(stands_approved(line.entry) for line in lines):
        return
    row.total_minutes = await week_total(ctx.session, row.user_id, row.week)
    row.status = WeekStatus.APPROVED
    row.decided_by_id = ctx.actor.id
    row.decided_at = utc_now()
    row.reason = None


async def _open_line(ctx: MutationContext, entry_id: uuid.UUID, route: str) -> tuple[Line, User]:
    """The line ``entry_id``, if the actor may decide on it, in a week that
    waits for a decision."""
    entry = await ctx.session.get(TimeEntry, entry_id, populate_existing=True)
    if entry is None or entry.deleted_at is not None:
        raise Rejected("not_found")
    person = await _person(ctx, entry.user_id)
    affair = await ctx.session.get(Affair, entry.affair_id)
    line = Line(entry, affair.code if affair else "", affair.manager_id if affair else None)
    if not _decides(ctx, person, line, route):
        raise Rejected("forbidden")
    return line, person


async def approve_entry(ctx: MutationContext, entry_id: uuid.UUID, route: str) -> None:
    """Approve one line of a submitted week; the week is approved with its
    last line. Approving a line whose approval stands changes nothing."""
    line, person = await _open_line(ctx, entry_id, route)
    week = week_of(line.entry.work_date)
    row = await ensure_week(ctx.session, person.id, week)
    if stands_approved(line.entry):
        return
    if row.status != WeekStatus.SUBMITTED:
        raise Rejected("week_not_submitted", week=week)

    await _approve_lines(ctx, [line.entry])
    await _complete_week(ctx, row, await _week_lines(ctx, person.id, week))


async def reject_entry(ctx: MutationContext, entry_id: uuid.UUID, reason: str, route: str) -> None:
    """Reject one line of a submitted week, and the week with it, so its
    person corrects the line and submits the week again."""
    line, person = await _open_line(ctx, entry_id, route)
    week = week_of(line.entry.work_date)
    row = await ensure_week(ctx.session, person.id, week)
    if row.status != WeekStatus.SUBMITTED:
        raise Rejected("week_not_submitted", week=week)

    now = utc_now()
    entry = line.entry
    entry.decision = LineDecision.REJECTED
    entry.decided_by_id = ctx.actor.id
    entry.decided_at = now
    entry.decision_reason = reason
    row.status = WeekStatus.REJECTED
    row.decided_by_id = ctx.actor.id
    row.decided_at = now
    # The week's reason names the line, for whoever reads the week alone.
    # (No colon: the reason is shown after one, in either language.)
    row.reason = f"{line.affair_code} {entry.work_date.isoformat()} — {reason}"


async def _decided_week(
    ctx: MutationContext, user_id: uuid.UUID, week: str, route: str
) -> tuple[User, TimesheetWeek, list[Line]]:
    """The person's week and its lines, if the actor decides on the week:
    on the person under the route, or on one of its lines at least."""
    person = await _person(ctx, user_id)
    lines = await _week_lines(ctx, user_id, week)
    if not _decides(ctx, person, None, route) and not any(
        _decides(ctx, person, line, route) for line in lines
    ):
        raise Rejected("forbidden")
    return person, await ensure_week(ctx.session, user_id, week), lines


async def approve_week(ctx: MutationContext, user_id: uuid.UUID, week: str, route: str) -> None:
    """Approve every live line of the week the actor decides on.

    A line changed since it was approved is not approved again unseen:
    the week waits (``changed_since_approved``) until it is approved on
    its own. Lines others decide on (another affair's manager) wait for
    them; the week is approved with the last.
    """
    person, row, lines = await _decided_week(ctx, user_id, week, route)
    if row.status == WeekStatus.APPROVED:
        return
    if row.status != WeekStatus.SUBMITTED:
        raise Rejected("week_not_submitted", week=week)
    mine = [line for line in lines if _decides(ctx, person, line, route)]
    if lines and not mine:
        raise Rejected("forbidden")
    changed = [line for line in mine if line_state(line.entry) is LineState.CHANGED]
    if changed:
        raise Rejected("changed_since_approved", week=week, count=len(changed))

    await _approve_lines(ctx, [line.entry for line in mine if not stands_approved(line.entry)])
    await _complete_week(ctx, row, lines)


async def reject_week(
    ctx: MutationContext, user_id: uuid.UUID, week: str, reason: str, route: str
) -> None:
    _, row, _ = await _decided_week(ctx, user_id, week, route)
    if row.status != WeekStatus.SUBMITTED:
        raise Rejected("week_not_submitted", week=week)
    row.status = WeekStatus.REJECTED
    row.decided_by_id = ctx.actor.id
    row.decided_at = utc_now()
    row.reason = reason


async def reopen_week(ctx: MutationContext, user_id: uuid.UUID, week: str, route: str) -> None:
    """Back to draft, so the person can correct an approved or rejected
    week. A draft stays as it is (a reopen sent twice, or after the
    person's own edit); a submitted week has no decision to undo:
    ``week_not_decided``. The lines keep their approved values."""
    _, row, lines = await _decided_week(ctx, user_id, week, route)
    if row.status == WeekStatus.DRAFT:
        return
    if row.status == WeekStatus.SUBMITTED:
        raise Rejected("week_not_decided", week=week)
    if row.status == WeekStatus.APPROVED:
        await _keep_week_approval(ctx, row, [line.entry for line in lines])
    row.status = WeekStatus.DRAFT
    row.decided_by_id = ctx.actor.id
    row.decided_at = utc_now()
    row.submitted_at = None
