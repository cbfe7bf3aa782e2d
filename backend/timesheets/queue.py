"""What waits for one person's decision: lines of submitted weeks.

A line waits for ``actor`` when its week is submitted, it does not stand
approved (never decided, changed since approved, or rejected and sent
again), and the company's route makes ``actor`` one who decides on it.
Each line carries the flags a supervisor looks at first: a day over ten
hours, a weekend, an affair closed since.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access import policy
from backend.access.actors import Actor
from backend.db.models import Affair, TimeEntry, TimesheetWeek, User, WeekStatus
from backend.lib.errors import Forbidden
from backend.lib.time import parse_week, week_of
from backend.timesheets.approval import LineState, line_state
from backend.timesheets.schemas import QueueGroup, QueueLine, QueueOut, QueueWeek
from backend.timesheets.services import CLOSED_AFFAIR_STATUSES

# A day longer than this is worth a second look.
LONG_DAY_MINUTES = 10 * 60
SATURDAY = 5

Grouping = Literal["person", "affair"]


async def decides_on_anyone(session: AsyncSession, actor: Actor, route: str) -> bool:
    """Is ``actor`` one who decides on somebody's time under ``route``?"""
    deciders = [policy.decides_on_time(actor)]
    if route == "affair":
        deciders.append(sa.exists().where(Affair.manager_id == actor.id))
    return bool(await session.scalar(sa.select(sa.or_(*deciders))))


async def approval_queue(session: AsyncSession, actor: Actor, route: str, by: Grouping) -> QueueOut:
    """The lines and weeks waiting for ``actor``, grouped ``by`` person or affair."""
    if not await decides_on_anyone(session, actor, route):
        raise Forbidden()
    weeks = {
        (row.user_id, row.week): row
        for row in await session.scalars(
            sa.select(TimesheetWeek).where(
                TimesheetWeek.status == WeekStatus.SUBMITTED,
                TimesheetWeek.deleted_at.is_(None),
                TimesheetWeek.user_id != actor.id,
            )
        )
    }
    if not weeks:
        return QueueOut(by=by, route=route, minutes=0, groups=[], weeks=[])
    people = {
        person.id: person
        for person in await session.scalars(
            sa.select(User).where(User.id.in_({user_id for user_id, _ in weeks}))
        )
    }
    lines = await _submitted_lines(session, weeks)

    long_days = _long_days([entry for entry, _ in lines])
    waiting: list[QueueLine] = []
    for entry, affair in lines:
        person = people[entry.user_id]
        state = line_state(entry)
        if state is LineState.APPROVED:
            continue
        if not policy.may_decide_on_time(actor, person, affair.manager_id, route):
            continue
        waiting.append(_queue_line(entry, affair, person, state, long_days))

    week_list = _waiting_weeks(actor, route, weeks, people, lines, waiting)
    return QueueOut(
        by=by,
        route=route,
        minutes=sum(line.minutes for line in waiting),
        groups=_grouped(waiting, by),
        weeks=week_list,
    )


async def _submitted_lines(
    session: AsyncSession, weeks: dict[tuple[uuid.UUID, str], TimesheetWeek]
) -> list[tuple[TimeEntry, Affair]]:
    """The live entries of the submitted ``weeks``, with their affairs."""
    mondays = [parse_week(week)[0] for _, week in weeks]
    first, last = min(mondays), max(mondays) + dt.timedelta(days=6)
    rows = await session.execute(
        sa.select(TimeEntry, Affair)
        .join(Affair, Affair.id == TimeEntry.affair_id)
        .where(
            TimeEntry.user_id.in_({user_id for user_id, _ in weeks}),
            TimeEntry.work_date.between(first, last),
            TimeEntry.deleted_at.is_(None),
        )
        .order_by(TimeEntry.work_date, TimeEntry.starts_at, TimeEntry.id)
    )
    return [
        (entry, affair)
        for entry, affair in rows
        if (entry.user_id, week_of(entry.work_date)) in weeks
    ]


def _long_days(entries: list[TimeEntry]) -> set[tuple[uuid.UUID, dt.date]]:
    minutes: dict[tuple[uuid.UUID, dt.date], int] = defaultdict(int)
    for entry in entries:
        minutes[(entry.user_id, entry.work_date)] += entry.minutes
    return {day for day, total in minutes.items() if total > LONG_DAY_MINUTES}


def _queue_line(
    entry: TimeEntry,
    affair: Affair,
    person: User,
    state: LineState,
    long_days: set[tuple[uuid.UUID, dt.date]],
) -> QueueLine:
    flags = []
    if (entry.user_id, entry.work_date) in long_days:
        flags.append("long_day")
    if entry.work_date.weekday() >= SATURDAY:
        flags.append("weekend")
    if affair.status in CLOSED_AFFAIR_STATUSES:
        flags.append("closed_affair")
    approved = entry.approved_values or {}
    return QueueLine(
        id=entry.id,
        user_id=person.id,
        user_name=person.name,
        week=week_of(entry.work_date),
        affair_id=affair.id,
        affair_code=affair.code,
        affair_title=affair.title,
        work_date=entry.work_date,
        minutes=entry.minutes,
        activity=entry.activity,
        note=entry.note,
        state=state.value,
        approved_minutes=approved.get("minutes") if state is LineState.CHANGED else None,
        decision_reason=entry.decision_reason,
        flags=flags,
    )


def _waiting_weeks(
    actor: Actor,
    route: str,
    weeks: dict[tuple[uuid.UUID, str], TimesheetWeek],
    people: dict[uuid.UUID, User],
    lines: list[tuple[TimeEntry, Affair]],
    waiting: list[QueueLine],
) -> list[QueueWeek]:
    """The weeks with lines waiting for the actor; and those without any
    line at all (submitted empty) that the actor decides on."""
    waiting_minutes: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for line in waiting:
        waiting_minutes[(line.user_id, line.week)] += line.minutes
    with_lines = {(entry.user_id, week_of(entry.work_date)) for entry, _ in lines}
    found = []
    for key, row in weeks.items():
        person = people[row.user_id]
        empty_and_mine = key not in with_lines and policy.may_decide_on_time(
            actor, person, None, route
        )
        if key in waiting_minutes or empty_and_mine:
            found.append(
                QueueWeek(
                    user_id=person.id,
                    user_name=person.name,
                    week=row.week,
                    minutes=row.total_minutes,
                    waiting_minutes=waiting_minutes.get(key, 0),
                )
            )
    return sorted(found, key=lambda week: (week.week, week.user_name.casefold()))


def _grouped(lines: list[QueueLine], by: Grouping) -> list[QueueGroup]:
    groups: dict[uuid.UUID, QueueGroup] = {}
    for line in lines:
        key = line.user_id if by == "person" else line.affair_id
        name = line.user_name if by == "person" else f"{line.affair_code} {line.affair_title}"
        group = groups.setdefault(key, QueueGroup(id=key, name=name, minutes=0, flags=[], lines=[]))
        group.lines.append(line)
        group.minutes += line.minutes
        group.flags.extend(flag for flag in line.flags if flag not in group.flags)
    return sorted(groups.values(), key=lambda group: group.name.casefold())
