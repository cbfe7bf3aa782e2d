"""The approval queue: what waits for whoever decides, grouped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from backend.lib.time import week_of
from tests.backend.timesheets import test_line_approval
from tests.backend.timesheets.test_time_mutators import MONDAY, WEEK, entry
from tests.factories import Company

SATURDAY = MONDAY + dt.timedelta(days=5)
# The company whose lines go to each affair's manager.
affair_route = test_line_approval.affair_route


async def queue(device: Any, by: str = "person") -> dict[str, Any]:
    response = await device.client.get("/api/timesheets/queue/", params={"by": by})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def put(device: Any, company: Company, **changes: Any) -> str:
    values = entry(company, **changes)
    result = await device.send("time_entry.put", values)
    assert result["status"] == "applied", result
    return str(values["id"])


async def test_the_queue_holds_the_lines_of_submitted_weeks_by_person(
    device_of: Any, company: Company
) -> None:
    tech, employee = await device_of("tech"), await device_of("employee")
    supervisor = await device_of("supervisor")
    long_day = await put(tech, company, minutes=400)
    await put(tech, company, minutes=300)
    weekend = await put(tech, company, minutes=60, work_date=SATURDAY.isoformat())
    await tech.send("timesheet.submit", {"week": WEEK})
    # Not submitted: not waiting yet.
    await put(employee, company, minutes=30)

    answer = await queue(supervisor)

    assert (answer["by"], answer["route"], answer["minutes"]) == ("person", "team", 760)
    (group,) = answer["groups"]
    assert (group["name"], group["minutes"]) == ("Tech", 760)
    assert set(group["flags"]) == {"long_day", "weekend"}
    flags = {line["id"]: line["flags"] for line in group["lines"]}
    assert flags[long_day] == ["long_day"]
    assert flags[weekend] == ["weekend"]
    assert [(w["user_name"], w["week"], w["waiting_minutes"]) for w in answer["weeks"]] == [
        ("Tech", WEEK, 760)
    ]


async def test_the_queue_by_affair_and_the_lines_changed_since_approved(
    device_of: Any, company: Company
) -> None:
    tech, employee = await device_of("tech"), await device_of("employee")
    supervisor = await device_of("supervisor")
    changed = await put(tech, company, minutes=180)
    await put(employee, company, minutes=60)
    for device in (tech, employee):
        await device.send("timesheet.submit", {"week": WEEK})
    person = {"user_id": str(company.users["tech"]), "week": WEEK}
    await supervisor.send("timesheet.approve", person)
    await supervisor.send("timesheet.reopen", person)
    await tech.send("time_entry.put", {**entry(company, minutes=240), "id": changed})
    await tech.send("timesheet.submit", {"week": WEEK})

    answer = await queue(supervisor, "affair")

    (group,) = answer["groups"]
    assert (group["name"], group["minutes"]) == ("AFF-1 Boiler upkeep", 300)
    line = next(line for line in group["lines"] if line["id"] == changed)
    assert (line["state"], line["approved_minutes"], line["minutes"]) == ("changed", 180, 240)


async def test_nobody_finds_their_own_time_in_their_queue(device_of: Any, company: Company) -> None:
    supervisor = await device_of("supervisor")
    await put(supervisor, company)
    await supervisor.send("timesheet.submit", {"week": week_of(MONDAY)})

    answer = await queue(supervisor)

    assert (answer["groups"], answer["weeks"]) == ([], [])


@pytest.mark.parametrize("person", ["tech", "employee", "sales"])
async def test_only_who_decides_has_a_queue(device_of: Any, company: Company, person: str) -> None:
    device = await device_of(person)

    response = await device.client.get("/api/timesheets/queue/")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_the_queue_is_grouped_by_person_or_affair_only(device_of: Any) -> None:
    supervisor = await device_of("supervisor")

    response = await supervisor.client.get("/api/timesheets/queue/", params={"by": "colour"})

    assert response.status_code == 400
    assert set(response.json()) >= {"code", "message", "details"}


async def test_the_queue_needs_a_signed_in_person(app_client: httpx.AsyncClient) -> None:
    response = await app_client.get("/api/timesheets/queue/")

    assert response.status_code == 401


async def test_by_affair_route_each_manager_finds_their_own_affair_s_lines(
    affair_route: tuple[Any, Any], company: Company
) -> None:
    device_of, second_affair = affair_route
    tech = await device_of("tech")
    await put(tech, company, minutes=60)
    theirs = await put(tech, company, minutes=90, affair_id=str(second_affair))
    await tech.send("timesheet.submit", {"week": WEEK})

    answer = await queue(await device_of("manager2"), "affair")
    supervisor = await queue(await device_of("supervisor"))

    assert answer["route"] == "affair"
    (group,) = answer["groups"]
    assert [line["id"] for line in group["lines"]] == [theirs]
    assert supervisor["groups"] == []
