"""Labour cost: minutes times the person's hourly rate on the work date.

Each time entry is one record, whether it was entered on a service order
or in the week's timesheet, so each hour is counted exactly once. A rate
changed later starts on its own ``valid_from``: the entries before it keep
the rate they were worked at, so approved history is never rewritten.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from backend.db.models import TimeEntry, TimesheetWeek, WeekStatus
from backend.lib.money import labour_cost_cents
from backend.lib.time import week_of
from backend.people.services import rate_on, rates_by_person


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
    # In a week whose approval stands.
    approved: bool
    # The person had an hourly rate on the work date.
    rated: bool


async def costed_entries(
    session: AsyncSession, *conditions: ColumnElement[bool]
) -> list[CostedEntry]:
    """The live time entries meeting ``conditions``, each costed at the rate
    valid on its work date and marked approved or not."""
    entries = (
        await session.execute(
            sa.select(
                TimeEntry.user_id, TimeEntry.affair_id, TimeEntry.work_date, TimeEntry.minutes
            ).where(TimeEntry.deleted_at.is_(None), *conditions)
        )
    ).all()
    if not entries:
        return []
    people = {row.user_id for row in entries}
    rates = await rates_by_person(session, people)
    # ISO week names sort as the weeks do ("2026-W09" < "2026-W10").
    first_week = week_of(min(row.work_date for row in entries))
    last_week = week_of(max(row.work_date for row in entries))
    approved = await session.execute(
        sa.select(TimesheetWeek.user_id, TimesheetWeek.week).where(
            TimesheetWeek.user_id.in_(people),
            TimesheetWeek.status == WeekStatus.APPROVED,
            TimesheetWeek.week.between(first_week, last_week),
        )
    )
    approved_weeks = {(user_id, week) for user_id, week in approved}

    costed = []
    for user_id, affair_id, work_date, minutes in entries:
        rate = rate_on(rates.get(user_id, []), work_date)
        costed.append(
            CostedEntry(
                user_id=user_id,
                affair_id=affair_id,
                work_date=work_date,
                minutes=minutes,
                cost_cents=labour_cost_cents(minutes, rate),
                approved=(user_id, week_of(work_date)) in approved_weeks,
                rated=rate != 0,
            )
        )
    return costed


async def labour_of_affair(session: AsyncSession, affair_id: uuid.UUID) -> Labour:
    labour = Labour()
    for entry in await costed_entries(session, TimeEntry.affair_id == affair_id):
        labour.add(entry)
    return labour
