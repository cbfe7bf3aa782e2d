"""The calendars planning reads, kept through the API by those who plan:
working weeks, public holidays, absences, skills; and hourly rates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import HourlyRate, User
from backend.people.availability import load_people
from tests.factories import Company

MONDAY = dt.date(2027, 3, 1)
PLANNERS = ["admin", "manager"]
NOT_PLANNERS = ["supervisor", "tech", "employee", "sales"]


async def delete(client: Any, url: str) -> Any:
    """A DELETE as the app sends it: like every write, it says it is JSON
    (the server's guard against other sites' forms)."""
    return await client.request("DELETE", url, headers={"content-type": "application/json"})


def period(weekday: int, starts: str, ends: str) -> dict[str, Any]:
    return {"weekday": weekday, "starts": starts, "ends": ends}


async def test_a_manager_sets_the_company_s_week_and_planning_follows_it(
    device_of: Any, company: Company, db: Database
) -> None:
    manager = await device_of("manager")
    default = await manager.client.get("/api/planning/working-weeks/company")

    # Four days of 7 to 15, Friday off.
    week = [period(day, "07:00", "15:00") for day in range(4)]
    changed = await manager.client.put(
        "/api/planning/working-weeks/company", json={"periods": week}
    )

    assert default.status_code == 200
    assert default.json()["own"] is False
    assert len(default.json()["periods"]) == 10  # Monday to Friday, two periods a day
    assert changed.status_code == 200, changed.text
    assert changed.json()["periods"] == week
    async with db.reading() as session:
        [tech] = await load_people(
            session, MONDAY, MONDAY + dt.timedelta(days=6), people_ids=[company.users["tech"]]
        )
    assert sum(end - start for start, end in tech.free) == 4 * 8 * 60


async def test_a_person_s_own_week_and_back_to_the_company_s(
    device_of: Any, company: Company
) -> None:
    manager = await device_of("manager")
    url = f"/api/planning/working-weeks/{company.users['tech']}"
    part_time = [period(0, "09:00", "12:00"), period(2, "09:00", "12:00")]

    own = await manager.client.put(url, json={"periods": part_time})
    read = await manager.client.get(url)
    back = await manager.client.put(url, json={"periods": []})

    assert own.json() == {
        "person_id": str(company.users["tech"]),
        "own": True,
        "periods": part_time,
    }
    assert read.json() == own.json()
    assert back.json()["own"] is False


@pytest.mark.parametrize(
    ("periods", "field"),
    [
        ([period(0, "12:00", "08:00")], "periods[0]"),
        ([period(0, "08:00", "12:00"), period(0, "11:00", "13:00")], "periods[1]"),
        ([period(7, "08:00", "12:00")], None),
        ([period(0, "8h", "12:00")], None),
        ([period(0, "24:00", "23:00")], None),
        ([{"weekday": 0, "starts": "08:00"}], None),
    ],
)
async def test_a_week_that_cannot_be_is_refused_and_nothing_written(
    device_of: Any, company: Company, periods: list, field: str | None
) -> None:
    manager = await device_of("manager")
    before = await manager.client.get("/api/planning/working-weeks/company")

    refused = await manager.client.put(
        "/api/planning/working-weeks/company", json={"periods": periods}
    )

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid_input"
    if field:
        assert refused.json()["details"]["field"] == field
    after = await manager.client.get("/api/planning/working-weeks/company")
    assert after.json() == before.json()


async def test_holidays_are_added_renamed_listed_by_year_and_removed(
    device_of: Any, company: Company, db: Database
) -> None:
    admin = await device_of("admin")

    added = await admin.client.put("/api/planning/holidays/2027-05-01", json={"name": "Fête"})
    renamed = await admin.client.put(
        "/api/planning/holidays/2027-05-01", json={"name": "Fête du Travail"}
    )
    await admin.client.put("/api/planning/holidays/2028-01-01", json={"name": "Jour de l'an"})
    listed = await admin.client.get("/api/planning/holidays?year=2027")
    async with db.reading() as session:
        [tech] = await load_people(
            session,
            dt.date(2027, 5, 1),
            dt.date(2027, 5, 1),
            people_ids=[company.users["tech"]],
        )
    removed = await delete(admin.client, "/api/planning/holidays/2027-05-01")
    again = await delete(admin.client, "/api/planning/holidays/2027-05-01")

    assert added.status_code == 200, added.text
    assert renamed.json() == {"day": "2027-05-01", "name": "Fête du Travail"}
    assert listed.json() == [{"day": "2027-05-01", "name": "Fête du Travail"}]
    assert tech.free == []  # a Saturday anyway; the holiday is read all the same
    assert removed.status_code == 204
    assert again.status_code == 404


async def test_absences_are_entered_listed_and_taken_off_planning(
    device_of: Any, company: Company, db: Database
) -> None:
    manager = await device_of("manager")
    tech = str(company.users["tech"])

    entered = await manager.client.post(
        "/api/planning/absences",
        json={
            "user_id": tech,
            "first_day": MONDAY.isoformat(),
            "last_day": (MONDAY + dt.timedelta(days=1)).isoformat(),
            "reason": "Formation",
        },
    )
    afternoon = await manager.client.post(
        "/api/planning/absences",
        json={
            "user_id": tech,
            "first_day": "2027-03-03",
            "last_day": "2027-03-03",
            "part": "afternoon",
        },
    )
    listed = await manager.client.get(
        f"/api/planning/absences?from=2027-03-01&to=2027-03-07&person={tech}"
    )
    async with db.reading() as session:
        [person] = await load_people(
            session, MONDAY, MONDAY + dt.timedelta(days=4), people_ids=[company.users["tech"]]
        )

    assert entered.status_code == 201, entered.text
    assert entered.json()["part"] == "day"
    assert [row["id"] for row in listed.json()] == [entered.json()["id"], afternoon.json()["id"]]
    # Five days of 8 h less two days and an afternoon (13-17).
    assert sum(end - start for start, end in person.free) == (5 * 8 - 16 - 4) * 60

    removed = await delete(manager.client, f"/api/planning/absences/{entered.json()['id']}")
    gone = await manager.client.get("/api/planning/absences?from=2027-03-01&to=2027-03-02")
    assert removed.status_code == 204
    assert gone.json() == []


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"last_day": "2027-02-28"}, 400, "last_day"),
        ({"part": "evening"}, 400, None),
        ({"reason": "x" * 121}, 400, None),
        ({"first_day": "1900-01-01"}, 400, "first_day"),
        ({"user_id": str(uuid.UUID(int=7))}, 404, None),
        ({"extra": 1}, 400, None),
    ],
)
async def test_bad_absences_are_refused(
    device_of: Any, company: Company, changes: dict, status: int, field: str | None
) -> None:
    manager = await device_of("manager")
    body = {
        "user_id": str(company.users["tech"]),
        "first_day": MONDAY.isoformat(),
        "last_day": MONDAY.isoformat(),
        **changes,
    }

    refused = await manager.client.post("/api/planning/absences", json=body)

    assert refused.status_code == status, refused.text
    assert set(refused.json()) == {"code", "message", "details"}
    if field:
        assert refused.json()["details"]["field"] == field
    listed = await manager.client.get("/api/planning/absences?from=1971-01-01&to=1971-12-31")
    assert listed.status_code == 200 and listed.json() == []


async def test_skills_are_set_for_a_person(device_of: Any, company: Company) -> None:
    manager = await device_of("manager")

    set_ = await manager.client.put(
        f"/api/planning/skills/{company.users['tech']}",
        json={"skills": ["welding", " electrical ", "welding"]},
    )
    listed = await manager.client.get("/api/planning/skills")

    assert set_.json()["skills"] == ["electrical", "welding"]
    [tech] = [row for row in listed.json() if row["user_id"] == str(company.users["tech"])]
    assert tech["skills"] == ["electrical", "welding"]


@pytest.mark.parametrize("who", NOT_PLANNERS)
async def test_only_those_who_plan_keep_the_calendars(
    device_of: Any, company: Company, who: str
) -> None:
    someone = await device_of(who)
    tech = company.users["tech"]
    requests = [
        ("get", "/api/planning/working-weeks/company", None),
        ("put", "/api/planning/working-weeks/company", {"periods": []}),
        ("get", f"/api/planning/working-weeks/{tech}", None),
        ("put", f"/api/planning/working-weeks/{tech}", {"periods": []}),
        ("get", "/api/planning/holidays?year=2027", None),
        ("put", "/api/planning/holidays/2027-05-01", {"name": "Fête"}),
        ("delete", "/api/planning/holidays/2027-05-01", None),
        ("get", "/api/planning/absences?from=2027-01-01&to=2027-01-31", None),
        (
            "post",
            "/api/planning/absences",
            {"user_id": str(tech), "first_day": "2027-03-01", "last_day": "2027-03-01"},
        ),
        ("delete", f"/api/planning/absences/{uuid.uuid4()}", None),
        ("get", "/api/planning/skills", None),
        ("put", f"/api/planning/skills/{tech}", {"skills": ["x"]}),
        ("get", f"/api/people/{tech}/rates", None),
    ]
    for method, url, body in requests:
        if method == "delete":
            response = await delete(someone.client, url)
        else:
            kwargs = {"json": body} if body is not None else {}
            response = await getattr(someone.client, method)(url, **kwargs)
        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["code"] == "forbidden"


async def test_the_calendars_need_a_session(app_client: Any) -> None:
    for url in ("/api/planning/working-weeks/company", "/api/planning/skills"):
        assert (await app_client.get(url)).status_code == 401


async def test_an_administrator_enters_rates_per_activity(
    device_of: Any, company: Company, db: Database
) -> None:
    admin = await device_of("admin")
    manager = await device_of("manager")
    url = f"/api/people/{company.users['tech']}/rates/"

    general = await admin.client.post(
        url, json={"valid_from": "2027-01-01", "cents_per_hour": 4000}
    )
    welding = await admin.client.post(
        url, json={"valid_from": "2027-01-01", "cents_per_hour": 5500, "activity": "welding"}
    )
    corrected = await admin.client.post(
        url, json={"valid_from": "2027-01-01", "cents_per_hour": 4200}
    )
    read = await manager.client.get(url)

    assert general.status_code == 201, general.text
    assert corrected.json()["id"] == general.json()["id"]
    # Beside the rate the person had since 2020.
    assert [
        (rate["activity"], rate["valid_from"], rate["cents_per_hour"]) for rate in read.json()
    ] == [("", "2020-01-01", 4000), ("", "2027-01-01", 4200), ("welding", "2027-01-01", 5500)]
    removed = await delete(admin.client, f"{url}{welding.json()['id']}")
    assert removed.status_code == 204
    assert len((await manager.client.get(url)).json()) == 2


@pytest.mark.parametrize("who", ["manager", "supervisor", "tech"])
async def test_only_administrators_enter_rates(
    device_of: Any, company: Company, db: Database, who: str
) -> None:
    someone = await device_of(who)
    url = f"/api/people/{company.users['tech2']}/rates/"
    async with db.reading() as session:
        before = await session.scalar(sa.select(sa.func.count()).select_from(HourlyRate))

    added = await someone.client.post(url, json={"valid_from": "2027-01-01", "cents_per_hour": 1})
    removed = await delete(someone.client, f"{url}{uuid.uuid4()}")

    assert added.status_code == 403
    assert removed.status_code == 403
    async with db.reading() as session:
        after = await session.scalar(sa.select(sa.func.count()).select_from(HourlyRate))
    assert after == before


@pytest.mark.parametrize(
    "body",
    [
        {"valid_from": "2027-01-01", "cents_per_hour": -1},
        {"valid_from": "2027-01-01", "cents_per_hour": 1.5},
        {"valid_from": "someday", "cents_per_hour": 100},
        {"valid_from": "2027-01-01", "cents_per_hour": 100, "activity": "x" * 41},
        {"cents_per_hour": 100},
    ],
)
async def test_bad_rates_are_refused(device_of: Any, company: Company, body: dict) -> None:
    admin = await device_of("admin")

    refused = await admin.client.post(f"/api/people/{company.users['tech']}/rates/", json=body)

    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "invalid_input"


async def test_an_unknown_person_is_not_found(device_of: Any) -> None:
    admin = await device_of("admin")
    nobody = uuid.UUID(int=7)

    answers = [
        await admin.client.get(f"/api/planning/working-weeks/{nobody}"),
        await admin.client.put(f"/api/planning/working-weeks/{nobody}", json={"periods": []}),
        await admin.client.put(f"/api/planning/skills/{nobody}", json={"skills": []}),
        await admin.client.get(f"/api/people/{nobody}/rates/"),
        await admin.client.post(
            f"/api/people/{nobody}/rates/", json={"valid_from": "2027-01-01", "cents_per_hour": 1}
        ),
    ]

    assert [answer.status_code for answer in answers] == [404] * len(answers)
    assert all(answer.json()["code"] == "not_found" for answer in answers)


async def test_a_refusal_is_said_in_french_too(device_of: Any, company: Company) -> None:
    manager = await device_of("manager")

    refused = await manager.client.put(
        "/api/planning/working-weeks/company",
        json={"periods": [period(0, "08:00", "12:00"), period(0, "11:00", "13:00")]},
        headers={"accept-language": "fr"},
    )

    assert refused.status_code == 400
    assert "deux plages horaires d'un même jour se chevauchent" in refused.json()["message"]


async def test_an_administrator_names_a_manager_s_time_approver(
    device_of: Any, company: Company, db: Database
) -> None:
    admin, manager = await device_of("admin"), await device_of("manager")
    url = f"/api/people/{company.users['manager']}/time-approver/"

    named = await admin.client.put(url, json={"approver_id": str(company.users["supervisor"])})
    read = await manager.client.get(url)
    cleared = await admin.client.put(url, json={"approver_id": None})

    assert named.status_code == 200, named.text
    assert named.json()["approver_id"] == str(company.users["supervisor"])
    assert named.json()["approver_name"]
    assert read.json() == named.json()
    assert cleared.json() == {
        "person_id": str(company.users["manager"]),
        "approver_id": None,
        "approver_name": None,
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"approver_id": "self"}, 400),
        ({"approver_id": str(uuid.UUID(int=7))}, 404),
        ({"approver_id": "not-an-id"}, 400),
        ({}, 400),
        ({"approver_id": None, "extra": 1}, 400),
    ],
)
async def test_a_time_approver_that_cannot_be_is_refused(
    device_of: Any, company: Company, db: Database, body: dict, status: int
) -> None:
    admin = await device_of("admin")
    if body.get("approver_id") == "self":
        body = {"approver_id": str(company.users["manager"])}

    refused = await admin.client.put(
        f"/api/people/{company.users['manager']}/time-approver/", json=body
    )

    assert refused.status_code == status, refused.text
    assert set(refused.json()) == {"code", "message", "details"}
    async with db.reading() as session:
        manager = await session.get(User, company.users["manager"])
    assert manager is not None and manager.time_approver_id is None


@pytest.mark.parametrize("who", ["manager", "supervisor", "tech"])
async def test_only_administrators_name_a_time_approver(
    device_of: Any, company: Company, db: Database, who: str
) -> None:
    someone = await device_of(who)
    url = f"/api/people/{company.users['tech2']}/time-approver/"

    refused = await someone.client.put(url, json={"approver_id": str(company.users[who])})

    assert refused.status_code == 403
    async with db.reading() as session:
        person = await session.get(User, company.users["tech2"])
    assert person is not None and person.time_approver_id is None
