"""Reminders: weeks never submitted, weeks sent back; one's own, and those
of the people one decides for."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from backend.lib.time import utc_now, week_of
from backend.timesheets.reminders import WEEKS_LOOKED_BACK
from tests.backend.timesheets.test_time_mutators import entry
from tests.factories import Company


def paris_monday(weeks_back: int) -> dt.date:
    today = utc_now().astimezone(ZoneInfo("Europe/Paris")).date()
    return today - dt.timedelta(days=today.weekday(), weeks=weeks_back)


async def reminders(device: Any, path: str = "") -> list[dict[str, Any]]:
    response = await device.client.get(f"/api/timesheets/reminders/{path}")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["reminders"]
    return found


async def worked(device: Any, company: Company, day: dt.date, minutes: int = 120) -> None:
    result = await device.send(
        "time_entry.put", entry(company, work_date=day.isoformat(), minutes=minutes)
    )
    assert result["status"] == "applied", result


async def test_a_past_week_holding_time_is_to_be_submitted(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    last_week, before = paris_monday(1), paris_monday(2)
    await worked(tech, company, last_week, 120)
    await worked(tech, company, last_week + dt.timedelta(days=1), 90)
    await worked(tech, company, before, 60)
    await tech.send("timesheet.submit", {"week": week_of(before)})
    # This week has not ended yet; one too old is the payroll's business.
    await worked(tech, company, paris_monday(0))

    said = await reminders(tech)

    assert [(r["kind"], r["week"], r["minutes"]) for r in said] == [
        ("week_not_submitted", week_of(last_week), 210)
    ]
    assert said[0]["user_id"] == str(company.users["tech"])


async def test_a_rejected_week_is_to_be_sent_again_with_its_reason(
    device_of: Any, company: Company
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    week = week_of(paris_monday(3))
    await worked(tech, company, paris_monday(3))
    await tech.send("timesheet.submit", {"week": week})
    await supervisor.send(
        "timesheet.reject",
        {"user_id": str(company.users["tech"]), "week": week, "reason": "Friday is missing"},
    )

    (said,) = await reminders(tech)

    assert (said["kind"], said["week"], said["reason"]) == (
        "week_rejected",
        week,
        "Friday is missing",
    )
    assert said["decided_by_name"] and said["decided_at"]
    # Sent again: nothing is asked any more.
    await tech.send("timesheet.submit", {"week": week})
    assert await reminders(tech) == []


async def test_weeks_beyond_those_looked_at_are_left_alone(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    await worked(tech, company, paris_monday(WEEKS_LOOKED_BACK + 1))

    assert await reminders(tech) == []


async def test_a_supervisor_is_reminded_of_the_teams_weeks_only(
    device_of: Any, company: Company
) -> None:
    tech, outsider = await device_of("tech"), await device_of("outsider")
    supervisor = await device_of("supervisor")
    await worked(tech, company, paris_monday(1))
    await worked(supervisor, company, paris_monday(1))
    outsiders = await outsider.send(
        "time_entry.put",
        entry(company, affair_id=str(company.other_affair_id), work_date=str(paris_monday(1))),
    )

    said = await reminders(supervisor, "team")

    assert {r["user_id"] for r in said} == {str(company.users["tech"])}
    # Their own week is in their own reminders, not the team's.
    assert [r["user_id"] for r in await reminders(supervisor)] == [str(company.users["supervisor"])]
    assert outsiders["status"] == "applied"


@pytest.mark.parametrize("person", ["tech", "employee", "sales"])
async def test_only_who_decides_on_time_sees_the_teams_reminders(
    device_of: Any, company: Company, person: str
) -> None:
    device = await device_of(person)

    response = await device.client.get("/api/timesheets/reminders/team")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_reminders_need_a_signed_in_person(app_client: httpx.AsyncClient) -> None:
    for path in ("/api/timesheets/reminders/", "/api/timesheets/reminders/team"):
        response = await app_client.get(path)
        assert response.status_code == 401
        assert set(response.json()) >= {"code", "message", "details"}


async def test_a_rejected_line_is_told_to_its_person_with_who_when_and_why(
    device_of: Any, company: Company
) -> None:
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    day = paris_monday(0)
    values = entry(company, work_date=day.isoformat(), minutes=90)
    await tech.send("time_entry.put", values)
    await tech.send("timesheet.submit", {"week": week_of(day)})
    await supervisor.send("time_entry.reject", {"id": values["id"], "reason": "not on site"})

    said = [r for r in await reminders(tech) if r["kind"] == "entry_rejected"]
    team = [r for r in await reminders(supervisor, "team") if r["kind"] == "entry_rejected"]

    assert len(said) == 1
    (line,) = said
    assert (line["entry_id"], line["work_date"], line["affair_code"]) == (
        values["id"],
        day.isoformat(),
        "AFF-1",
    )
    assert (line["reason"], line["decided_by_name"], line["minutes"]) == (
        "not on site",
        "Supervisor",
        90,
    )
    assert line["decided_at"]
    assert [r["entry_id"] for r in team] == [values["id"]]
    # Corrected and sent again: the line asks nothing any more.
    await tech.send("timesheet.submit", {"week": week_of(day)})
    assert [r for r in await reminders(tech) if r["kind"] == "entry_rejected"] == []
