"""The calendars planning reads, as managers keep them: the company's
working week and a person's own, public holidays, absences, skills; and
people's hourly rates, kept by administrators.

Each write replaces or adds whole rows and checks what the database
cannot say in a constraint (periods of a day that overlap, an absence
ending before it starts), so a bad request writes nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Absence,
    AbsencePart,
    HourlyRate,
    PersonSkill,
    PublicHoliday,
    User,
    WorkingHours,
)
from backend.lib.errors import InvalidInput, NotFound
from backend.people.availability import DEFAULT_WEEK, WORKING_ROLES, check_plannable
from backend.people.schemas import (
    MAX_WINDOW_DAYS,
    AbsenceIn,
    AbsenceOut,
    HolidayOut,
    PersonSkillsOut,
    RateIn,
    RateOut,
    WorkingPeriod,
    WorkingWeekOut,
)
from backend.people.services import set_rate
from sync.ids import uuid7


async def _person(session: AsyncSession, person_id: uuid.UUID) -> User:
    person = await session.get(User, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("not_found", user_id=str(person_id))
    return person


def _clock(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _period(row: WorkingHours) -> WorkingPeriod:
    return WorkingPeriod(
        weekday=row.weekday, starts=row.starts.strftime("%H:%M"), ends=row.ends.strftime("%H:%M")
    )


def _sorted(periods: Sequence[WorkingPeriod]) -> list[WorkingPeriod]:
    return sorted(periods, key=lambda period: (period.weekday, period.starts))


# -- working weeks ---------------------------------------------------------------------


async def _week_rows(session: AsyncSession, person_id: uuid.UUID | None) -> list[WorkingHours]:
    owner = (
        WorkingHours.user_id.is_(None) if person_id is None else WorkingHours.user_id == person_id
    )
    return list((await session.scalars(sa.select(WorkingHours).where(owner))).all())


async def working_week(session: AsyncSession, person_id: uuid.UUID | None) -> WorkingWeekOut:
    """The company's week, or the person's: their own, else the company's."""
    if person_id is not None:
        await _person(session, person_id)
        own = await _week_rows(session, person_id)
        if own:
            return WorkingWeekOut(person_id, True, _sorted([_period(row) for row in own]))
    company = await _week_rows(session, None)
    periods = (
        [_period(row) for row in company]
        if company
        else [
            WorkingPeriod(weekday, starts.strftime("%H:%M"), ends.strftime("%H:%M"))
            for weekday, day in DEFAULT_WEEK.items()
            for starts, ends in day
        ]
    )
    return WorkingWeekOut(person_id, False, _sorted(periods))


def _check_periods(periods: Sequence[WorkingPeriod]) -> None:
    by_day: dict[int, list[tuple[dt.time, dt.time, int]]] = defaultdict(list)
    for index, period in enumerate(periods):
        starts, ends = _clock(period.starts), _clock(period.ends)
        if starts >= ends:
            raise InvalidInput(
                "invalid_input",
                reason="a period must end after it starts",
                field=f"periods[{index}]",
            )
        by_day[period.weekday].append((starts, ends, index))
    for day in by_day.values():
        day.sort()
        for (_, ends, _), (starts, _, index) in itertools.pairwise(day):
            if starts < ends:
                raise InvalidInput(
                    "invalid_input",
                    reason="two periods of a day overlap",
                    field=f"periods[{index}]",
                )


async def set_working_week(
    session: AsyncSession, person_id: uuid.UUID | None, periods: Sequence[WorkingPeriod]
) -> WorkingWeekOut:
    """Replace the week's periods (none: back to the company's week, or
    for the company, to the default week)."""
    _check_periods(periods)
    if person_id is not None:
        await _person(session, person_id)
    for row in await _week_rows(session, person_id):
        await session.delete(row)
    session.add_all(
        WorkingHours(
            id=uuid7(),
            user_id=person_id,
            weekday=period.weekday,
            starts=_clock(period.starts),
            ends=_clock(period.ends),
        )
        for period in periods
    )
    await session.flush()
    return await working_week(session, person_id)


# -- public holidays -------------------------------------------------------------------


async def holidays(session: AsyncSession, year: int) -> list[HolidayOut]:
    rows = await session.scalars(
        sa.select(PublicHoliday)
        .where(PublicHoliday.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .order_by(PublicHoliday.day)
    )
    return [HolidayOut(row.day, row.name) for row in rows]


async def set_holiday(session: AsyncSession, day: dt.date, name: str) -> HolidayOut:
    check_plannable(day=day)
    row = await session.get(PublicHoliday, day)
    if row is None:
        session.add(PublicHoliday(day=day, name=name))
    else:
        row.name = name
    await session.flush()
    return HolidayOut(day, name)


async def remove_holiday(session: AsyncSession, day: dt.date) -> None:
    row = await session.get(PublicHoliday, day)
    if row is None:
        raise NotFound("not_found", day=day.isoformat())
    await session.delete(row)


# -- absences --------------------------------------------------------------------------


def _absence_out(row: Absence, name: str) -> AbsenceOut:
    return AbsenceOut(
        row.id, row.user_id, name, row.first_day, row.last_day, row.part.value, row.reason
    )


async def absences(
    session: AsyncSession, first_day: dt.date, last_day: dt.date, person_id: uuid.UUID | None
) -> list[AbsenceOut]:
    """The absences touching the period, the earliest first."""
    _check_span(first_day, last_day, "to")
    query = (
        sa.select(Absence, User.name)
        .join(User, User.id == Absence.user_id)
        .where(Absence.first_day <= last_day, Absence.last_day >= first_day)
        .order_by(Absence.first_day, User.name, Absence.id)
    )
    if person_id is not None:
        query = query.where(Absence.user_id == person_id)
    return [_absence_out(row, name) for row, name in await session.execute(query)]


def _check_span(first_day: dt.date, last_day: dt.date, field: str) -> None:
    check_plannable(first_day=first_day, last_day=last_day)
    if last_day < first_day:
        raise InvalidInput("invalid_input", reason="the end is before the start", field=field)
    if (last_day - first_day).days >= MAX_WINDOW_DAYS:
        raise InvalidInput("invalid_input", reason=f"at most {MAX_WINDOW_DAYS} days", field=field)


async def add_absence(session: AsyncSession, data: AbsenceIn) -> AbsenceOut:
    _check_span(data.first_day, data.last_day, "last_day")
    person = await _person(session, data.user_id)
    row = Absence(
        id=uuid7(),
        user_id=person.id,
        first_day=data.first_day,
        last_day=data.last_day,
        part=AbsencePart(data.part),
        reason=data.reason or None,
    )
    session.add(row)
    await session.flush()
    return _absence_out(row, person.name)


async def remove_absence(session: AsyncSession, absence_id: uuid.UUID) -> None:
    row = await session.get(Absence, absence_id)
    if row is None:
        raise NotFound("not_found", absence_id=str(absence_id))
    await session.delete(row)


# -- skills ----------------------------------------------------------------------------


async def skills(session: AsyncSession) -> list[PersonSkillsOut]:
    """Every active person who does the work, with their skills."""
    people = (
        await session.execute(
            sa.select(User.id, User.name)
            .where(User.deleted_at.is_(None), User.active.is_(True), User.role.in_(WORKING_ROLES))
            .order_by(User.name, User.id)
        )
    ).all()
    held: dict[uuid.UUID, list[str]] = defaultdict(list)
    for user_id, skill in await session.execute(
        sa.select(PersonSkill.user_id, PersonSkill.skill).order_by(PersonSkill.skill)
    ):
        held[user_id].append(skill)
    return [PersonSkillsOut(user_id, name, held.get(user_id, [])) for user_id, name in people]


async def set_skills(
    session: AsyncSession, person_id: uuid.UUID, wanted: Sequence[str]
) -> PersonSkillsOut:
    person = await _person(session, person_id)
    chosen = sorted({skill.strip() for skill in wanted} - {""})
    await session.execute(sa.delete(PersonSkill).where(PersonSkill.user_id == person_id))
    session.add_all(PersonSkill(user_id=person_id, skill=skill) for skill in chosen)
    await session.flush()
    return PersonSkillsOut(person.id, person.name, chosen)


# -- hourly rates ----------------------------------------------------------------------


def _rate_out(row: HourlyRate) -> RateOut:
    return RateOut(row.id, row.valid_from, row.cents_per_hour, row.activity)


async def rates(session: AsyncSession, person_id: uuid.UUID) -> list[RateOut]:
    await _person(session, person_id)
    rows = await session.scalars(
        sa.select(HourlyRate)
        .where(HourlyRate.user_id == person_id)
        .order_by(HourlyRate.activity, HourlyRate.valid_from)
    )
    return [_rate_out(row) for row in rows]


async def enter_rate(session: AsyncSession, person_id: uuid.UUID, data: RateIn) -> RateOut:
    """Add a rate, or change the one starting that day for that activity.
    Costs already approved keep the rate they were approved at."""
    await _person(session, person_id)
    check_plannable(valid_from=data.valid_from)
    row = await set_rate(
        session, person_id, data.valid_from, data.cents_per_hour, data.activity.strip()
    )
    return _rate_out(row)


async def remove_rate(session: AsyncSession, person_id: uuid.UUID, rate_id: uuid.UUID) -> None:
    row = await session.get(HourlyRate, rate_id)
    if row is None or row.user_id != person_id:
        raise NotFound("not_found", rate_id=str(rate_id))
    await session.delete(row)
