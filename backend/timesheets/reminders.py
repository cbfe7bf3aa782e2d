"""Reminders about time: weeks never submitted, weeks and lines sent back.

The data behind the notices a person gets (shown in the app; pushed to
the phone once web push is there): their own past weeks that hold time
and were never submitted, those rejected and not submitted again, and
each line rejected (who, when, why) until its week is sent again; and,
for whoever decides on other people's time, the same about them.

A week is looked at once it has ended on the person's own calendar (a
Sunday evening in Paris is already Monday for nobody else), and for
``WEEKS_LOOKED_BACK`` weeks: older ones are the payroll's business.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import Affair, LineDecision, TimeEntry, TimesheetWeek, User, WeekStatus
from backend.lib.errors import Forbidden
from backend.lib.time import utc_now, week_of, zone
from backend.people.services import names_of
from backend.timesheets.schemas import Reminder

WEEKS_LOOKED_BACK = 8
# A rejected line stops asking once its week is sent again.
SENT_AGAIN = (WeekStatus.SUBMITTED, WeekStatus.APPROVED)


async def own_reminders(session: AsyncSession, actor: Actor) -> list[Reminder]:
    return await _reminders(session, sa.select(User).where(User.id == actor.id))


async def team_reminders(session: AsyncSession, actor: Actor) -> list[Reminder]:
    """The reminders of the people whose time ``actor`` looks after: their
    team for a supervisor, everybody for the office, and the people whose
    named approver they are.

    The same under either route. A week not submitted is the business of
    its person and of whoever looks after them, not of the managers of
    the affairs it holds; and a rejected line is already known to whoever
    rejected it. So an affair's manager (route "affair") who looks after
    nobody has no team reminders.
    """
    if not await session.scalar(sa.select(policy.decides_on_time(actor))):
        raise Forbidden()
    people = sa.select(User).where(
        policy.visible_time(User.id, actor), User.id != actor.id, User.active.is_(True)
    )
    return await _reminders(session, people)


async def _reminders(session: AsyncSession, people: sa.Select[User]) -> list[Reminder]:
    persons = {person.id: person for person in await session.scalars(people)}
    if not persons:
        return []
    now = utc_now()
    ended = {
        person.id: _weeks_ended(now.astimezone(zone(person.time_zone)).date())
        for person in persons.values()
    }
    first = min(min(weeks) for weeks in ended.values())
    minutes = await _minutes_by_week(session, list(persons), first)
    rows = await session.scalars(
        sa.select(TimesheetWeek).where(
            TimesheetWeek.user_id.in_(list(persons)),
            TimesheetWeek.week >= week_of(first),
            TimesheetWeek.deleted_at.is_(None),
        )
    )
    weeks = {(row.user_id, row.week): row for row in rows}
    lines = await _rejected_lines(session, list(persons), first)
    deciders = await names_of(
        session,
        [
            *(row.decided_by_id for row in weeks.values()),
            *(entry.decided_by_id for entry, _ in lines),
        ],
    )

    found: list[Reminder] = []
    for person_id, person in persons.items():
        for monday in sorted(ended[person_id], reverse=True):
            week = week_of(monday)
            row = weeks.get((person_id, week))
            worked = minutes.get((person_id, week), 0)
            status = row.status if row is not None else WeekStatus.DRAFT
            if status == WeekStatus.DRAFT and worked:
                found.append(Reminder("week_not_submitted", person_id, person.name, week, worked))
            elif status == WeekStatus.REJECTED and row is not None:
                found.append(
                    Reminder(
                        "week_rejected",
                        person_id,
                        person.name,
                        week,
                        worked,
                        decided_by_name=deciders.get(row.decided_by_id)
                        if row.decided_by_id
                        else None,
                        decided_at=row.decided_at,
                        reason=row.reason,
                    )
                )
    for entry, affair_code in lines:
        row = weeks.get((entry.user_id, week_of(entry.work_date)))
        if row is not None and row.status in SENT_AGAIN:
            continue
        found.append(
            Reminder(
                "entry_rejected",
                entry.user_id,
                persons[entry.user_id].name,
                week_of(entry.work_date),
                entry.minutes,
                decided_by_name=deciders.get(entry.decided_by_id) if entry.decided_by_id else None,
                decided_at=entry.decided_at,
                reason=entry.decision_reason,
                entry_id=entry.id,
                work_date=entry.work_date,
                affair_code=affair_code,
            )
        )
    return found


async def _rejected_lines(
    session: AsyncSession, people: list[uuid.UUID], first: dt.date
) -> list[tuple[TimeEntry, str]]:
    """The live lines of these people rejected, worked since ``first``
    (this week's included: a rejection is news at once)."""
    rows = await session.execute(
        sa.select(TimeEntry, Affair.code)
        .join(Affair, Affair.id == TimeEntry.affair_id)
        .where(
            TimeEntry.user_id.in_(people),
            TimeEntry.decision == LineDecision.REJECTED,
            TimeEntry.work_date >= first,
            TimeEntry.deleted_at.is_(None),
        )
        .order_by(TimeEntry.work_date.desc(), TimeEntry.id)
    )
    return [(entry, code) for entry, code in rows]


def _weeks_ended(today: dt.date) -> list[dt.date]:
    """The Mondays of the weeks looked at, the last one ended first."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return [this_monday - dt.timedelta(weeks=n) for n in range(1, WEEKS_LOOKED_BACK + 1)]


async def _minutes_by_week(
    session: AsyncSession, people: list[uuid.UUID], first: dt.date
) -> dict[tuple[uuid.UUID, str], int]:
    rows = await session.execute(
        sa.select(TimeEntry.user_id, TimeEntry.work_date, sa.func.sum(TimeEntry.minutes))
        .where(
            TimeEntry.user_id.in_(people),
            TimeEntry.work_date >= first,
            TimeEntry.deleted_at.is_(None),
        )
        .group_by(TimeEntry.user_id, TimeEntry.work_date)
    )
    totals: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for user_id, work_date, minutes in rows:
        totals[(user_id, week_of(work_date))] += int(minutes)
    return totals
