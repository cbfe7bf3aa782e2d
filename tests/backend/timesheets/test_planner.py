"""The planning in memory: free time, finishing, booking, the order of choice."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from backend.db.models import AbsencePart
from backend.people.availability import (
    DEFAULT_WEEK,
    Person,
    epoch_minutes,
    subtract,
    working_periods,
)
from backend.timesheets.planning import NO_CAPACITY, Work, finish_time, plan, take

PARIS = ZoneInfo("Europe/Paris")
MONDAY = dt.date(2027, 3, 29)


def at(day: dt.date, hour: int) -> int:
    return epoch_minutes(dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS))


def person(name: str, skills: set[str], first: dt.date, last: dt.date) -> Person:
    free = working_periods(DEFAULT_WEEK, PARIS, first, last, set(), {})
    return Person(uuid.uuid4(), name, PARIS, frozenset(skills), free)


def test_busy_time_is_cut_out_of_free_time() -> None:
    free = [(0, 100), (200, 300)]

    assert subtract(free, [(50, 60), (90, 210), (290, 400)]) == [(0, 50), (60, 90), (210, 290)]


def test_a_morning_and_an_afternoon_off_leave_the_other_half() -> None:
    tuesday = MONDAY + dt.timedelta(days=1)
    absences = {MONDAY: AbsencePart.MORNING, tuesday: AbsencePart.AFTERNOON}

    periods = working_periods(DEFAULT_WEEK, PARIS, MONDAY, tuesday, set(), absences)

    assert periods == [(at(MONDAY, 13), at(MONDAY, 17)), (at(tuesday, 8), at(tuesday, 12))]


def test_finishing_walks_the_free_time_and_booking_cuts_it() -> None:
    worker = person("Ana", set(), MONDAY, MONDAY)

    assert finish_time(worker.free, at(MONDAY, 10), 180, at(MONDAY, 17)) == at(MONDAY, 14)
    assert finish_time(worker.free, at(MONDAY, 10), 180, at(MONDAY, 13)) is None
    slots = take(worker, at(MONDAY, 10), 180)

    assert slots == [(at(MONDAY, 10), at(MONDAY, 12)), (at(MONDAY, 13), at(MONDAY, 14))]
    assert worker.free == [(at(MONDAY, 8), at(MONDAY, 10)), (at(MONDAY, 14), at(MONDAY, 17))]


def test_the_versatile_person_is_kept_for_what_only_they_can_do() -> None:
    friday = MONDAY + dt.timedelta(days=4)
    both = person("Ana", {"electrical", "plumbing"}, MONDAY, friday)
    electrician = person("Bruno", {"electrical"}, MONDAY, friday)
    # Due first, and Ana (first by name) would finish it as soon as Bruno.
    wiring = Work("wiring", 16 * 60, frozenset({"electrical"}), MONDAY, MONDAY + dt.timedelta(2))
    pipes = Work("pipes", 40 * 60, frozenset({"plumbing"}), MONDAY, friday)

    placements = plan([wiring, pipes], [both, electrician])

    assert [p.person.name if p.person else None for p in placements] == ["Bruno", "Ana"]


def test_an_action_that_fits_nowhere_takes_no_time() -> None:
    worker = person("Ana", set(), MONDAY, MONDAY)
    too_big = Work("big", 9 * 60, frozenset(), MONDAY, MONDAY)
    small = Work("small", 8 * 60, frozenset(), MONDAY, MONDAY)

    big_placement, small_placement = plan([too_big, small], [worker])

    assert big_placement.reason == NO_CAPACITY
    assert big_placement.details["most_free_minutes"] == 8 * 60
    assert small_placement.person is worker
