"""Who does which action when: the planning proposal, in memory.

Earliest deadline first. Actions are taken by due date (then earliest
start, then key); each goes to a qualified person (every required skill)
who can finish it by its due date in their free working time from the
action's earliest start on: of those, one with the fewest skills beyond
the required ones (versatile people stay free for the work only they can
do), and of them the one who finishes first, and the slots it takes are cut from that person's free
time before the next action is placed. An action is never split between
people; it may span several working periods and days. An action that no
one can finish by the end of its due day keeps no slot and says why, so
it takes no time from the others. docs/timesheets.md (Planning) explains
the choice and its limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from backend.people.availability import Interval, Person, local_start

NO_SKILLED_PERSON = "planning_no_skilled_person"
NO_CAPACITY = "planning_no_capacity"
DUE_BEFORE_EARLIEST = "planning_due_before_earliest"


@dataclass(frozen=True)
class Work:
    """One action to place: ``minutes`` of work by someone with ``skills``,
    not before the ``earliest`` day and done by the end of the ``due`` day
    (dates local to the person who does it)."""

    key: str
    minutes: int
    skills: frozenset[str]
    earliest: dt.date
    due: dt.date


@dataclass
class Placement:
    """Where one action went, or why it could not go anywhere."""

    work: Work
    person: Person | None = None
    slots: list[Interval] = field(default_factory=list)
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class _DayStarts:
    """The first minute of each local day, per time zone, computed once."""

    def __init__(self) -> None:
        self.known: dict[tuple[dt.date, str], int] = {}

    def __call__(self, day: dt.date, time_zone: ZoneInfo) -> int:
        key = (day, time_zone.key)
        start = self.known.get(key)
        if start is None:
            start = self.known[key] = local_start(day, time_zone)
        return start


def plan(works: Sequence[Work], people: Sequence[Person]) -> list[Placement]:
    """Place every work it can; ``people``'s free time is used up as it goes.

    Answers one placement per work, in the order of ``works``.
    """
    day_start = _DayStarts()
    placements = {work.key: Placement(work) for work in works}
    for work in sorted(works, key=lambda work: (work.due, work.earliest, work.key)):
        placement = placements[work.key]
        if work.due < work.earliest:
            placement.reason = DUE_BEFORE_EARLIEST
            placement.details = {"earliest": work.earliest.isoformat(), "due": work.due.isoformat()}
            continue
        qualified = [person for person in people if work.skills <= person.skills]
        if not qualified:
            placement.reason = NO_SKILLED_PERSON
            placement.details = {"skills": ", ".join(sorted(work.skills))}
            continue
        best = _soonest_of_the_least_versatile(work, qualified, day_start)
        if best is None:
            placement.reason = NO_CAPACITY
            placement.details = _capacity_shortfall(work, qualified, day_start)
            continue
        person = best[1]
        placement.person = person
        placement.slots = take(person, day_start(work.earliest, person.time_zone), work.minutes)
    return [placements[work.key] for work in works]


def _soonest_of_the_least_versatile(
    work: Work, qualified: Sequence[Person], day_start: _DayStarts
) -> tuple[int, Person] | None:
    """Among the people who can finish ``work`` by its due date, those with
    the fewest skills beyond the ones it needs, and of them the one who
    finishes first (the first of the list on a tie)."""
    by_spare_skills: dict[int, list[Person]] = {}
    for person in qualified:
        by_spare_skills.setdefault(len(person.skills - work.skills), []).append(person)
    for spare in sorted(by_spare_skills):
        best: tuple[int, Person] | None = None
        for person in by_spare_skills[spare]:
            start = day_start(work.earliest, person.time_zone)
            limit = day_start(work.due + dt.timedelta(days=1), person.time_zone)
            if best is not None:
                # Finishing later than the best so far is no use: stop there.
                limit = min(limit, best[0] - 1)
            finish = finish_time(person.free, start, work.minutes, limit)
            if finish is not None:
                best = (finish, person)
        if best is not None:
            return best
    return None


def finish_time(free: Sequence[Interval], start: int, minutes: int, limit: int) -> int | None:
    """When ``minutes`` of work begun at ``start`` would be done in ``free``
    time, or None if not by ``limit``."""
    left = minutes
    index = _first_ending_after(free, start)
    while index < len(free):
        free_start, free_end = free[index]
        free_start = max(free_start, start)
        if free_start >= limit:
            return None
        available = free_end - free_start
        if available >= left:
            finish = free_start + left
            return finish if finish <= limit else None
        left -= available
        index += 1
    return None


def take(person: Person, start: int, minutes: int) -> list[Interval]:
    """Book ``minutes`` of ``person``'s free time from ``start`` on; answer
    the slots booked (the caller made sure they exist)."""
    free = person.free
    first = index = _first_ending_after(free, start)
    left = minutes
    slots: list[Interval] = []
    kept: list[Interval] = []
    while left > 0:
        free_start, free_end = free[index]
        slot_start = max(free_start, start)
        if slot_start > free_start:
            kept.append((free_start, slot_start))
        slot_end = min(free_end, slot_start + left)
        slots.append((slot_start, slot_end))
        left -= slot_end - slot_start
        if slot_end < free_end:
            kept.append((slot_end, free_end))
        index += 1
    free[first:index] = kept
    return slots


def _first_ending_after(free: Sequence[Interval], start: int) -> int:
    low, high = 0, len(free)
    while low < high:
        middle = (low + high) // 2
        if free[middle][1] <= start:
            low = middle + 1
        else:
            high = middle
    return low


def _capacity_shortfall(
    work: Work, qualified: Sequence[Person], day_start: _DayStarts
) -> dict[str, Any]:
    """What the qualified people have left between earliest start and due
    date, to say how far the action is from fitting."""
    most = 0
    for person in qualified:
        start = day_start(work.earliest, person.time_zone)
        end = day_start(work.due + dt.timedelta(days=1), person.time_zone)
        most = max(most, person.free_minutes(start, end))
    return {
        "needed_minutes": work.minutes,
        "most_free_minutes": most,
        "qualified_people": len(qualified),
        "due": work.due.isoformat(),
    }
