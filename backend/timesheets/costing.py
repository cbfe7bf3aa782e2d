"""Labour cost: minutes times the person's hourly rate on the work date.

Each time entry is one record, whether it was entered on a service order
or in the week's timesheet, so each hour is counted exactly once. A rate
may be set for an activity; work of another activity, or of none, costs
the person's general rate. A rate changed later starts on its own
``valid_from``; and an approved line keeps the cost it was approved at
(``approved_costs``), so even a back-dated rate never rewrites it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.db.models import ApprovedCost, TimeEntry, TimesheetWeek, WeekStatus
from backend.lib.money import labour_cost_cents
from backend.lib.time import week_of
from backend.people.services import rate_on, rates_by_person
from backend.timesheets.approval import stands_approved


@dataclass
class Labour:
    """Minutes and their cost (integer cents), by where they stand in approval."""

    approved_minutes: int = 0
    approved_cents: int = 0
    pending_minutes: int = 0
    pending_cents: int = 0
    # Minutes of people with no hourly rate on the work date: costed at 0.
    unrated_minutes: int = 0

    def add(self, entry: CostedEntry) -> None:
        if entry.approved:
            self.approved_minutes += entry.minutes
            self.approved_cents += entry.cost_cents
        else:
            self.pending_minutes += entry.minutes
            self.pending_cents += entry.cost_cents
        if not entry.rated:
            self.unrated_minutes += entry.minutes

    @property
    def minutes(self) -> int:
        return self.approved_minutes + self.pending_minutes

    @property
    def cents(self) -> int:
        return self.approved_cents + self.pending_cents


# The affair summary's name for the same figures.
AffairLabour = Labour


@dataclass(frozen=True)
class CostedEntry:
    user_id: uuid.UUID
    affair_id: uuid.UUID
    work_date: dt.date
    minutes: int
    cost_cents: int
    # A line whose approval stands.
    approved: bool
    # The person had an hourly rate on the work date.
    rated: bool


async def costed_entries(
    session: AsyncSession, *conditions: ColumnElement[bool]
) -> list[CostedEntry]:
    """The live time entries meeting ``conditions``, each costed and marked
    approved or not.

    A line whose approval stands costs what was kept when it was approved;
    any other line costs its minutes at the rate valid on its work date
    for its activity (else the person's general rate). A line nobody
    decided on, in a week approved before lines had decisions of their
    own, counts as approved at that rate.
    """
    rows = await session.execute(
        sa.select(TimeEntry, ApprovedCost)
        .outerjoin(ApprovedCost, ApprovedCost.entry_id == TimeEntry.id)
        .where(TimeEntry.deleted_at.is_(None), *conditions)
    )
    entries: list[tuple[TimeEntry, ApprovedCost | None]] = [(entry, kept) for entry, kept in rows]
    if not entries:
        return []
    people = {entry.user_id for entry, _ in entries}
    rates = await rates_by_person(session, people)
    approved_weeks = await _approved_weeks(session, people, [entry for entry, _ in entries])

    costed = []
    for entry, kept in entries:
        if kept is not None and stands_approved(entry):
            cents, rate, approved = kept.cents, kept.cents_per_hour, True
        else:
            rate = rate_on(rates.get(entry.user_id, []), entry.work_date, entry.activity)
            cents = labour_cost_cents(entry.minutes, rate)
            week = (entry.user_id, week_of(entry.work_date))
            approved = entry.decision is None and week in approved_weeks
        costed.append(
            CostedEntry(
                user_id=entry.user_id,
                affair_id=entry.affair_id,
                work_date=entry.work_date,
                minutes=entry.minutes,
                cost_cents=cents,
                approved=approved,
                rated=rate != 0,
            )
        )
    return costed


async def _approved_weeks(
    session: AsyncSession, people: set[uuid.UUID], entries: list[TimeEntry]
) -> set[tuple[uuid.UUID, str]]:
    # ISO week names sort as the weeks do ("2026-W09" < "2026-W10").
    first_week = week_of(min(entry.work_date for entry in entries))
    last_week = week_of(max(entry.work_date for entry in entries))
    approved = await session.execute(
        sa.select(TimesheetWeek.user_id, TimesheetWeek.week).where(
            TimesheetWeek.user_id.in_(people),
            TimesheetWeek.status == WeekStatus.APPROVED,
            TimesheetWeek.week.between(first_week, last_week),
        )
    )
    return {(user_id, week) for user_id, week in approved}


async def labour_of_affair(session: AsyncSession, affair_id: uuid.UUID) -> Labour:
    labour = Labour()
    for entry in await costed_entries(session, TimeEntry.affair_id == affair_id):
        labour.add(entry)
    return labour
