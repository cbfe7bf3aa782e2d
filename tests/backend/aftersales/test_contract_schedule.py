"""A contract's calendar as pure rules: visit days across month ends and
leap years, renewal, late visits and SLA breaches."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.aftersales.contracts import (
    RepairTiming,
    add_months,
    renewed_end,
    repair_timing,
    sla_breached,
    visit_days,
    visit_is_late,
    visit_number,
)
from backend.db.models import (
    MaintenanceContract,
    RepairStep,
    ServiceOrder,
    ServiceOrderStatus,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2027, 1, 31), 2, D(2027, 3, 31)),
        (D(2027, 3, 31), 1, D(2027, 4, 30)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2028, 2, 29), 48, D(2032, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2027, 1, 15), -1, D(2026, 12, 15)),
    ],
)
def test_a_month_later_keeps_the_day_or_the_months_last(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("starts_on", "every", "last_day", "expected"),
    [
        (
            D(2027, 1, 31),
            1,
            D(2027, 5, 31),
            [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31)],
        ),
        (
            D(2027, 11, 30),
            3,
            D(2028, 12, 1),
            [D(2027, 11, 30), D(2028, 2, 29), D(2028, 5, 30), D(2028, 8, 30), D(2028, 11, 30)],
        ),
        (
            D(2028, 2, 29),
            12,
            D(2032, 3, 1),
            [D(2028, 2, 29), D(2029, 2, 28), D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 29)],
        ),
        # The last day counts; the day before the start has nothing.
        (D(2027, 1, 10), 6, D(2028, 1, 10), [D(2027, 1, 10), D(2027, 7, 10), D(2028, 1, 10)]),
        (D(2027, 1, 10), 6, D(2027, 1, 9), []),
    ],
)
def test_visits_are_counted_from_the_start_across_month_ends(
    starts_on: dt.date, every: int, last_day: dt.date, expected: list[dt.date]
) -> None:
    assert visit_days(starts_on, every, last_day) == expected


def test_visits_stop_at_the_end_of_the_calendar() -> None:
    assert visit_days(D(9999, 6, 1), 6, D(9999, 12, 31)) == [D(9999, 6, 1), D(9999, 12, 1)]


@given(
    starts_on=st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
    every=st.integers(min_value=1, max_value=120),
    span=st.integers(min_value=0, max_value=3660),
)
def test_each_visit_is_on_the_starts_day_or_its_months_last(
    starts_on: dt.date, every: int, span: int
) -> None:
    last_day = starts_on + dt.timedelta(days=span)

    days = visit_days(starts_on, every, last_day)

    assert days[0] == starts_on
    assert days == sorted(set(days))
    assert all(starts_on <= day <= last_day for day in days)
    for count, day in enumerate(days):
        months = (day.year - starts_on.year) * 12 + day.month - starts_on.month
        assert months == count * every
        month_end = calendar.monthrange(day.year, day.month)[1]
        assert day.day == min(starts_on.day, month_end)
    # Nothing is left out before the last day.
    following = add_months(starts_on, len(days) * every)
    assert following > last_day


@pytest.mark.parametrize(
    ("ends_on", "months", "today", "expected"),
    [
        (D(2027, 12, 31), 12, D(2027, 12, 30), D(2027, 12, 31)),
        (D(2027, 12, 31), 12, D(2027, 12, 31), D(2028, 12, 31)),
        (D(2027, 12, 31), 12, D(2028, 1, 5), D(2028, 12, 31)),
        # A server that was off for long renews as many times as needed.
        (D(2027, 12, 31), 12, D(2030, 3, 1), D(2030, 12, 31)),
        (D(2028, 2, 29), 12, D(2028, 3, 1), D(2029, 2, 28)),
        (D(2027, 6, 30), 6, D(2027, 6, 30), D(2027, 12, 30)),
    ],
)
def test_a_renewing_contract_runs_on_once_its_end_is_reached(
    ends_on: dt.date, months: int, today: dt.date, expected: dt.date
) -> None:
    assert renewed_end(ends_on, months, today) == expected


def test_a_visit_number_is_the_contracts_with_the_day() -> None:
    short = MaintenanceContract(id=uuid.uuid4(), number="MC-2027-0001")
    long = MaintenanceContract(id=uuid.uuid4(), number="IMPORTED-CONTRACT-NUMBER-OF-40-CHARS-XY")

    assert visit_number(short, D(2027, 1, 31)) == "MC-2027-0001-20270131"
    assert visit_number(long, D(2027, 1, 31)) == f"MC-{long.id.hex[:16]}-20270131"
    assert len(visit_number(long, D(2027, 1, 31))) <= 40


S = ServiceOrderStatus
TODAY = D(2027, 3, 10)


@pytest.mark.parametrize(
    ("due_on", "status", "late"),
    [
        (D(2027, 3, 9), S.PLANNED, True),
        (D(2027, 3, 9), S.IN_PROGRESS, True),
        (D(2027, 3, 10), S.PLANNED, False),
        (D(2027, 3, 9), S.DONE, False),
        (D(2027, 3, 9), S.CLOSED, False),
        (D(2027, 3, 9), S.CANCELLED, False),
        (None, S.PLANNED, False),
    ],
)
def test_a_visit_is_late_once_its_day_passed_undone(
    due_on: dt.date | None, status: ServiceOrderStatus, late: bool
) -> None:
    assert visit_is_late(due_on, status, TODAY) is late


RECEIVED = dt.datetime(2027, 3, 10, 8, 0, tzinfo=dt.UTC)


def timing(started: bool, started_at: dt.datetime | None) -> RepairTiming:
    return RepairTiming(uuid.uuid4(), "SO-1", RECEIVED, started_at, started)


@pytest.mark.parametrize(
    ("started", "started_at", "now", "breached"),
    [
        # Still waiting: a breach once the promised hours have passed.
        (False, None, RECEIVED + dt.timedelta(hours=23, minutes=59), False),
        (False, None, RECEIVED + dt.timedelta(hours=24), False),
        (False, None, RECEIVED + dt.timedelta(hours=24, seconds=1), True),
        # Started: in time or not, whatever the time now.
        (True, RECEIVED + dt.timedelta(hours=24), RECEIVED + dt.timedelta(days=9), False),
        (True, RECEIVED + dt.timedelta(hours=25), RECEIVED + dt.timedelta(days=9), True),
        # Started at a moment nobody knows: no breach is claimed.
        (True, None, RECEIVED + dt.timedelta(days=9), False),
    ],
)
def test_a_repair_breaches_the_sla_when_not_started_within_the_hours(
    started: bool, started_at: dt.datetime | None, now: dt.datetime, breached: bool
) -> None:
    assert sla_breached(timing(started, started_at), 24, now) is breached


LEFT = RECEIVED + dt.timedelta(hours=3)


@pytest.mark.parametrize(
    ("step", "status", "left_intake_at", "started", "started_at"),
    [
        # Waiting at intake: not started.
        (RepairStep.INTAKE, ServiceOrderStatus.PLANNED, None, False, None),
        # Its first step past intake is the start, whatever came after.
        (RepairStep.QUALITY_CHECK, ServiceOrderStatus.IN_PROGRESS, LEFT, True, LEFT),
        # Moved on, but its history holds no step past intake: started at
        # a moment nobody knows (its last status change is not it).
        (RepairStep.REPAIR, ServiceOrderStatus.IN_PROGRESS, None, True, None),
    ],
)
def test_a_repair_starts_when_its_history_first_leaves_intake(
    step: RepairStep,
    status: ServiceOrderStatus,
    left_intake_at: dt.datetime | None,
    started: bool,
    started_at: dt.datetime | None,
) -> None:
    order = ServiceOrder(
        id=uuid.uuid4(),
        number="SO-1",
        received_at=RECEIVED,
        step=step,
        status=status,
        status_changed_at=RECEIVED + dt.timedelta(days=2),
    )

    found = repair_timing(order, left_intake_at)

    assert found is not None
    assert (found.started, found.started_at) == (started, started_at)


def test_a_repair_with_no_arrival_is_not_measured() -> None:
    order = ServiceOrder(id=uuid.uuid4(), number="SO-2", received_at=None)

    assert repair_timing(order, LEFT) is None
