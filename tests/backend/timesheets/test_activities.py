"""The activities the entry form offers: words in use, never their cost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from backend.db.engine import Database
from backend.lib.time import utc_now
from backend.people.services import set_rate
from backend.timesheets.activities import RECENT_DAYS
from tests.backend.timesheets.test_time_mutators import entry
from tests.factories import Company

PATH = "/api/timesheets/activities"


async def activities(device: Any) -> list[str]:
    response = await device.client.get(PATH)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"activities"}
    found: list[str] = response.json()["activities"]
    return found


async def worked_at(device: Any, company: Company, activity: str, days_ago: int) -> None:
    day = utc_now().date() - dt.timedelta(days=days_ago)
    result = await device.send(
        "time_entry.put", entry(company, work_date=day.isoformat(), activity=activity)
    )
    assert result["status"] == "applied", result


@pytest.mark.parametrize("person", ["tech", "employee", "supervisor", "admin"])
async def test_whoever_enters_time_reads_the_activities_in_use_without_costs(
    device_of: Any, company: Company, db: Database, person: str
) -> None:
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2026, 1, 1), 6500, "Welding")
        await set_rate(session, company.users["tech"], dt.date(2026, 6, 1), 7000, "Welding")
    tech = await device_of("tech")
    await worked_at(tech, company, "travel", days_ago=2)
    await worked_at(tech, company, "Welding", days_ago=3)
    device = tech if person == "tech" else await device_of(person)

    response = await device.client.get(PATH)

    assert response.status_code == 200
    assert response.json() == {"activities": ["travel", "Welding"]}
    assert "6500" not in response.text and "7000" not in response.text


async def test_words_of_old_entries_fall_out_of_use_those_of_rates_stay(
    device_of: Any, company: Company, db: Database
) -> None:
    async with db.writing() as session:
        await set_rate(session, company.users["tech"], dt.date(2020, 1, 1), 5000, "painting")
    tech = await device_of("tech")
    await worked_at(tech, company, "old words", days_ago=RECENT_DAYS + 5)
    removed = entry(company, work_date=utc_now().date().isoformat(), activity="deleted")
    await tech.send("time_entry.put", removed)
    await tech.send("time_entry.delete", {"id": removed["id"]})

    found = await activities(tech)

    assert found == ["painting"]


async def test_no_activity_in_use_is_an_empty_list(device_of: Any) -> None:
    tech = await device_of("tech")

    assert await activities(tech) == []


async def test_the_activities_need_a_signed_in_person(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get(PATH)

    assert response.status_code == 401
    assert set(response.json()) >= {"code", "message", "details"}
