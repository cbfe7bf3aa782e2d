"""When people can work: working weeks, public holidays, absences, appointments.

A person's free time over a window is their working week (their own if
they have one, else the company's), less public holidays, less their
absences, less the actions already booked for them. It is computed in
memory from a handful of queries, as intervals of UTC minutes since the
epoch: local working hours are turned into instants with the person's
time zone day by day, so a day when clocks change is as long as it
really is, and durations are plain subtractions.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Absence,
    AbsencePart,
    Action,
    Affair,
    PersonSkill,
    PublicHoliday,
    Role,
    User,
    WorkingHours,
)
from backend.lib.errors import InvalidInput, NotFound
from backend.lib.time import zone
from backend.people.schemas import (
    MAX_WINDOW_DAYS,
    AvailabilityOut,
    AvailabilityRequest,
    PersonAvailability,
)

# (start, end) in minutes since 1970-01-01 00:00 UTC, end excluded.
Interval = tuple[int, int]
# Periods of each weekday (0 = Monday), local time.
Week = dict[int, list[tuple[dt.time, dt.time]]]

MORNING = (dt.time(8), dt.time(12))
AFTERNOON = (dt.time(13), dt.time(17))
# The company's week until it says otherwise: Monday to Friday, 8-12 and 13-17.
DEFAULT_WEEK: Week = {weekday: [MORNING, AFTERNOON] for weekday in range(5)}
NOON = dt.time(12)
# Who is planned when a request names nobody: the people who do the work.
WORKING_ROLES = (Role.TECHNICIAN, Role.EMPLOYEE, Role.SUPERVISOR)


# Days a plan may name: the arithmetic around them (a day before, two
# after, instants in any zone) stays inside what dates can hold.
FIRST_PLANNABLE = dt.date(1971, 1, 1)
LAST_PLANNABLE = dt.date(2999, 12, 31)


def check_plannable(**days: dt.date | None) -> None:
    """Refuse, naming the field, a day too far in the past or the future."""
    for name, day in days.items():
        if day is not None and not FIRST_PLANNABLE <= day <= LAST_PLANNABLE:
            raise InvalidInput(
                "invalid_input",
                reason=f"a day from {FIRST_PLANNABLE} to {LAST_PLANNABLE}",
                field=name,
            )


def epoch_minutes(instant: dt.datetime) -> int:
    return int(instant.timestamp()) // 60


def instant_of(minutes: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(minutes * 60, dt.UTC)


def local_start(day: dt.date, time_zone: ZoneInfo) -> int:
    """The first minute of ``day`` where the person is, in UTC minutes."""
    return epoch_minutes(dt.datetime.combine(day, dt.time(), tzinfo=time_zone))


@dataclass
class Person:
    """One person as planning sees them; ``free`` is sorted and disjoint."""

    id: uuid.UUID
    name: str
    time_zone: ZoneInfo
    skills: frozenset[str]
    free: list[Interval] = field(default_factory=list)

    def free_minutes(self, start: int, end: int) -> int:
        """Free minutes between two instants."""
        total = 0
        for free_start, free_end in self.free[self.first_free(start) :]:
            if free_start >= end:
                break
            total += min(free_end, end) - max(free_start, start)
        return total

    def first_free(self, start: int) -> int:
        """Index of the first free interval that ends after ``start``."""
        return bisect.bisect_right(self.free, start, key=lambda interval: interval[1])


def working_periods(
    week: Week,
    time_zone: ZoneInfo,
    first_day: dt.date,
    last_day: dt.date,
    holidays: set[dt.date],
    absences: dict[dt.date, AbsencePart],
) -> list[Interval]:
    """The person's working time from ``first_day`` to ``last_day`` inclusive."""
    periods: list[Interval] = []
    day = first_day
    while day <= last_day:
        absent = absences.get(day)
        if day not in holidays and absent is not AbsencePart.DAY:
            for starts, ends in week.get(day.weekday(), ()):
                # A half day off takes the working time before or from noon.
                if absent is AbsencePart.MORNING:
                    starts = max(starts, NOON)
                elif absent is AbsencePart.AFTERNOON:
                    ends = min(ends, NOON)
                if starts < ends:
                    periods.append(
                        (
                            epoch_minutes(dt.datetime.combine(day, starts, tzinfo=time_zone)),
                            epoch_minutes(dt.datetime.combine(day, ends, tzinfo=time_zone)),
                        )
                    )
        day += dt.timedelta(days=1)
    return periods


def subtract(free: Sequence[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """``free`` less ``busy`` (both sorted by start)."""
    result: list[Interval] = []
    blocks = sorted(busy)
    index = 0
    for start, end in free:
        while index < len(blocks) and blocks[index][1] <= start:
            index += 1
        cursor = start
        scan = index
        while scan < len(blocks) and blocks[scan][0] < end:
            busy_start, busy_end = blocks[scan]
            if busy_start > cursor:
                result.append((cursor, busy_start))
            cursor = max(cursor, busy_end)
            scan += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def week_minutes(week: Week) -> int:
    return sum(
        (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
        for periods in week.values()
        for starts, ends in periods
    )


def day_minutes(week: Week) -> int:
    """The length of an average working day of ``week`` (a "day of work")."""
    days = sum(1 for periods in week.values() if periods)
    return week_minutes(week) // days if days else 0


def _week_of(rows: Iterable[WorkingHours]) -> Week:
    week: Week = defaultdict(list)
    for row in sorted(rows, key=lambda row: (row.weekday, row.starts)):
        week[row.weekday].append((row.starts, row.ends))
    return dict(week)


async def company_week(session: AsyncSession) -> Week:
    rows = (
        await session.scalars(sa.select(WorkingHours).where(WorkingHours.user_id.is_(None)))
    ).all()
    return _week_of(rows) or DEFAULT_WEEK


async def load_people(
    session: AsyncSession,
    first_day: dt.date,
    last_day: dt.date,
    *,
    people_ids: Sequence[uuid.UUID] | None = None,
    ignored_actions: Iterable[uuid.UUID] = (),
    bookings: bool = True,
) -> list[Person]:
    """The people to plan (those named, or every active working person),
    with their skills and their free time from ``first_day`` to
    ``last_day``; actions in ``ignored_actions`` (being planned again) do
    not count as busy, nor does any action without ``bookings`` (their
    working time alone). Six queries whatever the number of people."""
    query = sa.select(User).where(User.deleted_at.is_(None), User.active.is_(True))
    if people_ids is None:
        query = query.where(User.role.in_(WORKING_ROLES))
    else:
        query = query.where(User.id.in_(people_ids))
    users = (await session.scalars(query.order_by(User.name, User.id))).all()
    if people_ids is not None:
        missing = set(people_ids) - {user.id for user in users}
        if missing:
            raise NotFound("not_found", user_id=str(min(missing)))
    ids = [user.id for user in users]

    hours = (await session.scalars(sa.select(WorkingHours))).all()
    weeks: dict[uuid.UUID | None, list[WorkingHours]] = defaultdict(list)
    for row in hours:
        weeks[row.user_id].append(row)
    company = _week_of(weeks.get(None, [])) or DEFAULT_WEEK

    holidays = set(
        (
            await session.scalars(
                sa.select(PublicHoliday.day).where(PublicHoliday.day.between(first_day, last_day))
            )
        ).all()
    )
    absences: dict[uuid.UUID, dict[dt.date, AbsencePart]] = defaultdict(dict)
    for absence in (
        await session.scalars(
            sa.select(Absence).where(
                Absence.user_id.in_(ids),
                Absence.first_day <= last_day,
                Absence.last_day >= first_day,
            )
        )
    ).all():
        day = max(absence.first_day, first_day)
        while day <= min(absence.last_day, last_day):
            absences[absence.user_id][day] = _together(
                absences[absence.user_id].get(day), absence.part
            )
            day += dt.timedelta(days=1)

    skills: dict[uuid.UUID, set[str]] = defaultdict(set)
    for user_id, skill in (
        await session.execute(
            sa.select(PersonSkill.user_id, PersonSkill.skill).where(PersonSkill.user_id.in_(ids))
        )
    ).all():
        skills[user_id].add(skill)

    # Actions already booked in the window (a day of margin either side for
    # time zones) keep their people busy.
    window_start = dt.datetime.combine(first_day - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    window_end = dt.datetime.combine(last_day + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    ignored = list(ignored_actions)
    booked = sa.select(Action.assignee_id, Action.starts_at, Action.ends_at).where(
        Action.assignee_id.in_(ids),
        Action.deleted_at.is_(None),
        Action.starts_at.is_not(None),
        Action.ends_at.is_not(None),
        Action.starts_at < window_end,
        Action.ends_at > window_start,
    )
    if ignored:
        booked = booked.where(Action.id.not_in(ignored))
    rows = (await session.execute(booked)).all() if bookings else []
    busy: dict[uuid.UUID | None, list[Interval]] = defaultdict(list)
    for assignee_id, starts_at, ends_at in rows:
        if starts_at is not None and ends_at is not None:  # the query made sure
            busy[assignee_id].append((epoch_minutes(starts_at), epoch_minutes(ends_at)))

    people = []
    for user in users:
        time_zone = _zone_or_default(user.time_zone)
        week = _week_of(weeks[user.id]) if user.id in weeks else company
        periods = working_periods(
            week, time_zone, first_day, last_day, holidays, absences.get(user.id, {})
        )
        people.append(
            Person(
                id=user.id,
                name=user.name,
                time_zone=time_zone,
                skills=frozenset(skills.get(user.id, ())),
                free=subtract(periods, busy.get(user.id, ())),
            )
        )
    return people


def _together(before: AbsencePart | None, part: AbsencePart) -> AbsencePart:
    """Two absences on one day: a morning and an afternoon make a day."""
    if before is None or before is part:
        return part
    return AbsencePart.DAY


def _zone_or_default(name: str | None) -> ZoneInfo:
    try:
        return zone(name)
    except ValueError:
        return zone(None)


async def available_for_affair(
    session: AsyncSession, request: AvailabilityRequest
) -> AvailabilityOut:
    """The people with enough free working time in the window to give the
    affair the days of work it needs, the most free first."""
    check_plannable(first_day=request.first_day, last_day=request.last_day)
    if request.last_day < request.first_day:
        raise InvalidInput("invalid_input", reason="last_day is before first_day", field="last_day")
    if (request.last_day - request.first_day).days >= MAX_WINDOW_DAYS:
        raise InvalidInput(
            "invalid_input", reason=f"at most {MAX_WINDOW_DAYS} days", field="last_day"
        )
    affair = await session.get(Affair, request.affair_id)
    if affair is None or affair.deleted_at is not None:
        raise NotFound("not_found", affair_id=str(request.affair_id))
    needed = round(request.days * day_minutes(await company_week(session)))
    people = await load_people(
        session, request.first_day, request.last_day, people_ids=request.people
    )
    wanted = frozenset(request.skills)
    found = []
    for person in people:
        if not wanted <= person.skills:
            continue
        free = sum(end - start for start, end in person.free)
        if free >= needed:
            found.append(
                PersonAvailability(
                    user_id=person.id,
                    name=person.name,
                    free_minutes=free,
                    free_hours=round(free / 60, 2),
                )
            )
    found.sort(key=lambda available: (-available.free_minutes, available.name))
    return AvailabilityOut(affair_id=affair.id, needed_minutes=needed, people=found)
