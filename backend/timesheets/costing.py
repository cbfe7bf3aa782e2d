"""Labour cost: minutes times the person's hourly rate on the work date.

Each time entry is one record, whether it was entered on a service order
or in the week's timesheet, so each hour is counted exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import TimeEntry, TimesheetWeek, WeekStatus
from backend.lib.money import labour_cost_cents
from backend.lib.time import week_of
from backend.people.services import rate_on, rates_by_person


@dataclass
class AffairLabour:
    approved_minutes: int = 0
    approved_cents: int = 0
    pending_minutes: int = 0
    pending_cents: int = 0
    unrated_minutes: int = 0


async def labour_of_affair(session: AsyncSession, affair_id: uuid.UUID) -> AffairLabour:
    entries = (
        await session.execute(
            sa.select(TimeEntry.user_id, TimeEntry.work_date, TimeEntry.minutes).where(
                TimeEntry.affair_id == affair_id, TimeEntry.deleted_at.is_(None)
            )
        )
    ).all()
    people = {user_id for user_id, _, _ in entries}
    rates = await rates_by_person(session, people)
    approved = await session.execute(
        sa.select(TimesheetWeek.user_id, TimesheetWeek.week).where(
            TimesheetWeek.user_id.in_(people), TimesheetWeek.status == WeekStatus.APPROVED
        )
    )
    approved_weeks = {(user_id, week) for user_id, week in approved}

    labour = AffairLabour()
    for user_id, work_date, minutes in entries:
        rate = rate_on(rates.get(user_id, []), work_date)
        cost = labour_cost_cents(minutes, rate)
        if rate == 0:
            labour.unrated_minutes += minutes
        if (user_id, week_of(work_date)) in approved_weeks:
            labour.approved_minutes += minutes
            labour.approved_cents += cost
        else:
            labour.pending_minutes += minutes
            labour.pending_cents += cost
    return labour
