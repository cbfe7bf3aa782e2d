"""Rates per activity, and costs frozen when a line is approved."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from backend.db.engine import Database
from backend.db.models import TimeEntry
from backend.people.services import Rate, rate_on, set_rate
from backend.timesheets.costing import labour_of_affair
from tests.backend.timesheets.test_exports import csv_rows, download, fields
from tests.backend.timesheets.test_time_mutators import MONDAY, WEEK, entry
from tests.factories import Company

RATES = [
    Rate(dt.date(2020, 1, 1), 4000),
    Rate(dt.date(2026, 1, 1), 6000, "welding"),
    Rate(dt.date(2026, 12, 1), 7000, "welding"),
]


@pytest.mark.parametrize(
    ("day", "activity", "cents"),
    [
        (dt.date(2026, 6, 1), "welding", 6000),
        (dt.date(2026, 12, 2), "welding", 7000),
        # Before its own rate starts, an activity costs the general rate.
        (dt.date(2025, 6, 1), "welding", 4000),
        (dt.date(2026, 6, 1), "painting", 4000),
        (dt.date(2026, 6, 1), None, 4000),
        (dt.date(2019, 6, 1), None, 0),
    ],
)
def test_the_rate_of_an_activity_else_the_general_rate(
    day: dt.date, activity: str | None, cents: int
) -> None:
    assert rate_on(RATES, day, activity) == cents


async def activity_of(db: Database, entry_id: str) -> str | None:
    async with db.reading() as session:
        found = await session.get(TimeEntry, uuid.UUID(entry_id))
        assert found is not None
        return found.activity


async def test_an_entry_keeps_its_activity_unless_told_otherwise(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company, activity="welding")
    await tech.send("time_entry.put", values)

    # A device that knows nothing of activities edits the entry.
    without = {name: value for name, value in values.items() if name != "activity"}
    edited = await tech.send("time_entry.put", {**without, "minutes": 90})
    kept = await activity_of(db, values["id"])
    cleared = await tech.send("time_entry.put", {**values, "activity": None})

    assert edited["status"] == cleared["status"] == "applied"
    assert kept == "welding"
    assert await activity_of(db, values["id"]) is None


@pytest.mark.parametrize("activity", ["", "x" * 41, 12])
async def test_an_activity_is_a_few_words(
    device_of: Any, company: Company, db: Database, activity: Any
) -> None:
    tech = await device_of("tech")
    values = entry(company, activity=activity)

    result = await tech.send("time_entry.put", values)

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")


async def test_a_rate_of_an_activity_leaves_the_general_rate_alone(
    company: Company, db: Database
) -> None:
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2020, 1, 1), 9000, "welding")
    async with db.reading() as session:
        from backend.people.services import rates_by_person

        rates = await rates_by_person(session, {company.users["tech"]})

    assert sorted((r.activity, r.cents_per_hour) for r in rates[company.users["tech"]]) == [
        ("", 4000),
        ("welding", 9000),
    ]


async def test_an_approved_cost_stays_whatever_the_rates_do_later(
    device_of: Any, company: Company, db: Database
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2026, 1, 1), 6000, "welding")
    welding = entry(company, minutes=60, activity="welding")
    plain = entry(company, minutes=60, work_date=(MONDAY + dt.timedelta(days=1)).isoformat())
    for values in (welding, plain):
        await tech.send("time_entry.put", values)
    await tech.send("timesheet.submit", {"week": WEEK})
    await supervisor.send("time_entry.approve", {"id": welding["id"]})

    # Rates raised and back-dated before the work, after the approval.
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2026, 1, 1), 8000, "welding")
        await set_rate(session, company.users["tech"], dt.date(2020, 1, 1), 5000)
    async with db.reading() as session:
        labour = await labour_of_affair(session, company.affair_id)  # type: ignore[arg-type]

    # Welding approved at 60.00 an hour; the plain hour pending at today's 50.00.
    assert (labour.approved_minutes, labour.approved_cents) == (60, 6000)
    assert (labour.pending_minutes, labour.pending_cents) == (60, 5000)
    admin = await device_of("admin")
    response = await download(
        admin, "payroll", **{"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}
    )
    _, tech_line, _ = csv_rows(response)
    assert tech_line == fields("Tech;tech@test.example;60;1.00;60.00;0;0.00;0.00;60;1.00;60.00;0")
