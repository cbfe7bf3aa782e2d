"""Planning proposals and availability over HTTP, on the real application.

The week planned is the one of the last Sunday of March 2027 (clocks go
forward in Paris on the 28th): Friday the 26th is UTC+1, Monday the 29th
(Easter Monday, a public holiday in the tests that say so) UTC+2.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    Absence,
    AbsencePart,
    Action,
    ActionKind,
    ActionSkill,
    ChangeLogEntry,
    PersonSkill,
    PlanningProposal,
    PublicHoliday,
    WorkingHours,
)
from sync.ids import uuid7
from tests.factories import Company

PARIS = ZoneInfo("Europe/Paris")
FRIDAY = dt.date(2027, 3, 26)
MONDAY = dt.date(2027, 3, 29)
TUESDAY = dt.date(2027, 3, 30)
WEDNESDAY = dt.date(2027, 3, 31)
THURSDAY = dt.date(2027, 4, 1)


def paris(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local Paris time as the UTC instant the API answers."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS).astimezone(dt.UTC)


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


async def give_skills(db: Database, company: Company, skills: dict[str, list[str]]) -> None:
    async with db.writing() as session:
        for key, names in skills.items():
            session.add_all(PersonSkill(user_id=company.users[key], skill=name) for name in names)


async def add_rows(db: Database, *rows: Any) -> None:
    async with db.writing() as session:
        session.add_all(rows)


async def count(db: Database, model: Any) -> int:
    async with db.reading() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def new_action(company: Company, title: str, minutes: int, due: dt.date, **more: Any) -> dict:
    return {
        "affair_id": str(company.affair_id),
        "title": title,
        "minutes": minutes,
        "due": due.isoformat(),
        **more,
    }


async def propose(manager: Any, company: Company, actions: list[dict], **more: Any) -> dict:
    body = {
        "first_day": more.pop("first_day", FRIDAY).isoformat(),
        "actions": actions,
        "people": [str(company.users[key]) for key in more.pop("people", ["tech", "tech2"])],
    }
    response = await manager.client.post("/api/planning/proposals", json=body, **more)
    assert response.status_code == 201, response.text
    answer: dict = response.json()
    return answer


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)


def within_working_hours(slot: dict) -> bool:
    starts = utc(slot["starts_at"]).astimezone(PARIS)
    ends = utc(slot["ends_at"]).astimezone(PARIS)
    same_day = starts.date() == ends.date() and starts.weekday() < 5
    morning = dt.time(8) <= starts.time() and ends.time() <= dt.time(12)
    afternoon = dt.time(13) <= starts.time() and ends.time() <= dt.time(17)
    return same_day and (morning or afternoon)


async def test_a_feasible_plan_meets_every_deadline(
    db: Database, company: Company, device_of: Any
) -> None:
    await give_skills(db, company, {"tech": ["electrical"], "tech2": ["electrical", "plumbing"]})
    manager = await device_of("manager")
    # 8 + 6 + 12 + 4 + 8 hours (38 h) for two people over Friday to Tuesday
    # (24 working hours each): only an order that puts deadlines first fits.
    actions = [
        new_action(company, "Rewire the boiler room", 8 * 60, TUESDAY, skills=["electrical"]),
        new_action(company, "Fix the leak", 6 * 60, MONDAY, skills=["plumbing"]),
        new_action(company, "New circuit", 12 * 60, TUESDAY, skills=["electrical"]),
        new_action(company, "Check the meter", 4 * 60, FRIDAY, skills=["electrical"]),
        new_action(company, "Pipes", 8 * 60, TUESDAY, skills=["plumbing"]),
    ]

    proposal = await propose(manager, company, actions)

    assert proposal["not_met"] == 0
    assert proposal["met"] == 5
    skills_of = {
        str(company.users["tech"]): {"electrical"},
        str(company.users["tech2"]): {"electrical", "plumbing"},
    }
    booked: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for item in proposal["items"]:
        assert item["met"] is True, item
        assert utc(item["ends_at"]) <= end_of(dt.date.fromisoformat(item["due"]))
        assert set(item["skills"]) <= skills_of[item["assignee_id"]]
        assert (
            sum(
                (utc(slot["ends_at"]) - utc(slot["starts_at"])).total_seconds() // 60
                for slot in item["slots"]
            )
            == item["minutes"]
        )
        assert all(within_working_hours(slot) for slot in item["slots"])
        booked.setdefault(item["assignee_id"], []).extend(
            (utc(slot["starts_at"]), utc(slot["ends_at"])) for slot in item["slots"]
        )
    for slots in booked.values():
        slots.sort()
        assert all(first[1] <= second[0] for first, second in itertools.pairwise(slots))


async def test_the_actions_that_cannot_be_met_say_why(
    db: Database, company: Company, device_of: Any
) -> None:
    await give_skills(db, company, {"tech": ["electrical"], "tech2": ["electrical"]})
    manager = await device_of("manager")
    actions = [
        new_action(company, "Weld the frame", 60, TUESDAY, skills=["welding"]),
        new_action(company, "Too late", 60, MONDAY, earliest=TUESDAY.isoformat()),
        new_action(company, "Three days by Friday", 3 * 8 * 60, FRIDAY, skills=["electrical"]),
        new_action(company, "Fits", 60, FRIDAY),
    ]

    proposal = await propose(manager, company, actions, headers={"Accept-Language": "fr"})

    weld, late, big, fits = proposal["items"]
    assert (proposal["met"], proposal["not_met"]) == (1, 3)
    assert weld["reason"] == "planning_no_skilled_person"
    assert weld["details"] == {"skills": "welding"}
    assert "welding" in weld["message"]
    assert late["reason"] == "planning_due_before_earliest"
    assert late["message"] == (
        "L'action est due le 29 mars 2027, avant le 30 mars 2027 où elle peut commencer."
    )
    assert big["reason"] == "planning_no_capacity"
    assert big["details"] == {
        "needed_minutes": 1440,
        "most_free_minutes": 480,
        "qualified_people": 2,
        "due": "2027-03-26",
    }
    assert fits["met"] is True
    assert weld["assignee_id"] is None and weld["slots"] == []


async def test_clocks_going_forward_keep_the_working_hours_local(
    db: Database, company: Company, device_of: Any
) -> None:
    manager = await device_of("manager")

    proposal = await propose(
        manager, company, [new_action(company, "Two days", 16 * 60, MONDAY)], people=["tech"]
    )

    slots = [(utc(s["starts_at"]), utc(s["ends_at"])) for s in proposal["items"][0]["slots"]]
    assert slots == [
        (paris(FRIDAY, 8), paris(FRIDAY, 12)),
        (paris(FRIDAY, 13), paris(FRIDAY, 17)),
        (paris(MONDAY, 8), paris(MONDAY, 12)),
        (paris(MONDAY, 13), paris(MONDAY, 17)),
    ]
    # 8:00 in Paris is 7:00 UTC before the change and 6:00 UTC after it.
    assert slots[0][0] == dt.datetime(2027, 3, 26, 7, tzinfo=dt.UTC)
    assert slots[2][0] == dt.datetime(2027, 3, 29, 6, tzinfo=dt.UTC)


async def test_holidays_absences_own_weeks_and_appointments_are_respected(
    db: Database, company: Company, device_of: Any
) -> None:
    tech = company.users["tech"]
    await add_rows(
        db,
        PublicHoliday(day=MONDAY, name="Easter Monday"),
        Absence(id=uuid7(), user_id=tech, first_day=FRIDAY, last_day=FRIDAY),
        Absence(
            id=uuid7(),
            user_id=tech,
            first_day=TUESDAY,
            last_day=TUESDAY,
            part=AbsencePart.MORNING,
        ),
        Action(
            id=uuid7(),
            affair_id=company.other_affair_id,
            kind=ActionKind.APPOINTMENT,
            title="Already booked",
            assignee_id=tech,
            starts_at=paris(WEDNESDAY, 8),
            ends_at=paris(WEDNESDAY, 10),
        ),
    )
    manager = await device_of("manager")

    proposal = await propose(
        manager,
        company,
        [new_action(company, "Twelve hours", 12 * 60, THURSDAY, earliest=FRIDAY.isoformat())],
        people=["tech"],
    )

    slots = [(utc(s["starts_at"]), utc(s["ends_at"])) for s in proposal["items"][0]["slots"]]
    assert slots == [
        (paris(TUESDAY, 13), paris(TUESDAY, 17)),
        (paris(WEDNESDAY, 10), paris(WEDNESDAY, 12)),
        (paris(WEDNESDAY, 13), paris(WEDNESDAY, 17)),
        (paris(THURSDAY, 8), paris(THURSDAY, 10)),
    ]

    # A person's own week replaces the company's: tech2 works Thursdays only, 9 to 15.
    tech2 = company.users["tech2"]
    await add_rows(
        db, WorkingHours(id=uuid7(), user_id=tech2, weekday=3, starts=dt.time(9), ends=dt.time(15))
    )
    proposal = await propose(
        manager, company, [new_action(company, "Thursday", 6 * 60, THURSDAY)], people=["tech2"]
    )
    slots = [(utc(s["starts_at"]), utc(s["ends_at"])) for s in proposal["items"][0]["slots"]]
    assert slots == [(paris(THURSDAY, 9), paris(THURSDAY, 15))]


async def test_accepting_makes_appointments_once(
    db: Database, company: Company, device_of: Any
) -> None:
    existing = Action(
        id=uuid7(),
        affair_id=company.affair_id,
        kind=ActionKind.TASK,
        title="Service the boiler",
        planned_minutes=3 * 60,
        due_date=MONDAY,
    )
    await add_rows(db, existing)
    await add_rows(db, ActionSkill(action_id=existing.id, skill="boilers"))
    await give_skills(db, company, {"tech2": ["boilers"]})
    manager = await device_of("manager")
    proposal = await propose(
        manager,
        company,
        [
            {"action_id": str(existing.id)},
            new_action(company, "Visit", 2 * 60, MONDAY, skills=["boilers"]),
            new_action(company, "Not now", 60, MONDAY, skills=["welding"]),
        ],
    )
    kept, visit, unmet = proposal["items"]
    assert kept["assignee_id"] == str(company.users["tech2"])
    assert kept["skills"] == ["boilers"] and kept["new"] is False
    url = f"/api/planning/proposals/{proposal['id']}/accept"

    first = await manager.client.post(url, json={})
    changes_after_first = await count(db, ChangeLogEntry)
    second = await manager.client.post(url, json={})

    assert first.status_code == 200, first.text
    assert first.json()["created"] == [visit["action_id"]]
    assert first.json()["updated"] == [str(existing.id)]
    assert first.json()["skipped"] == [{"key": unmet["key"], "reason": "planning_not_met"}]
    assert second.json()["created"] == [] and second.json()["updated"] == []
    assert sorted(second.json()["unchanged"]) == sorted([visit["action_id"], str(existing.id)])
    assert await count(db, ChangeLogEntry) == changes_after_first
    async with db.reading() as session:
        actions = {
            str(action.id): action
            for action in await session.scalars(
                sa.select(Action).where(Action.affair_id == company.affair_id)
            )
        }
        visit_skills = (
            await session.scalars(
                sa.select(ActionSkill.skill).where(
                    ActionSkill.action_id == uuid.UUID(visit["action_id"])
                )
            )
        ).all()
    assert len(actions) == 2
    for item in (kept, visit):
        action = actions[item["action_id"]]
        assert action.kind == ActionKind.APPOINTMENT
        assert str(action.assignee_id) == item["assignee_id"]
        assert action.starts_at == utc(item["starts_at"])
        assert action.ends_at == utc(item["ends_at"])
    assert visit_skills == ["boilers"]
    shown = await manager.client.get(f"/api/planning/proposals/{proposal['id']}")
    assert shown.json()["accepted"] == [kept["key"], visit["key"]]


async def test_the_technician_receives_the_accepted_appointment(
    db: Database, company: Company, device_of: Any
) -> None:
    manager, tech = await device_of("manager"), await device_of("tech")
    await tech.pull()
    proposal = await propose(
        manager, company, [new_action(company, "Visit", 60, MONDAY)], people=["tech"]
    )
    key = proposal["items"][0]["key"]

    response = await manager.client.post(
        f"/api/planning/proposals/{proposal['id']}/accept", json={"keys": [key]}
    )

    assert response.status_code == 200, response.text
    received = [c for c in await tech.pull() if c.get("type") == "action"]
    assert [change["id"] for change in received] == [key]


async def test_the_people_available_for_an_affair_the_most_free_first(
    db: Database, company: Company, device_of: Any
) -> None:
    tech, tech2, employee = (company.users[key] for key in ("tech", "tech2", "employee"))
    await give_skills(db, company, {"tech": ["electrical"], "tech2": ["electrical"]})
    await add_rows(
        db,
        # tech is away three days of the five: 16 h left, not enough.
        Absence(id=uuid7(), user_id=tech, first_day=TUESDAY, last_day=THURSDAY),
        Action(
            id=uuid7(),
            affair_id=company.other_affair_id,
            kind=ActionKind.APPOINTMENT,
            title="Booked",
            assignee_id=tech2,
            starts_at=paris(TUESDAY, 8),
            ends_at=paris(TUESDAY, 12),
        ),
    )
    manager = await device_of("manager")
    body = {
        "affair_id": str(company.affair_id),
        "days": 3,
        "first_day": MONDAY.isoformat(),
        "last_day": dt.date(2027, 4, 2).isoformat(),
        "people": [str(tech), str(tech2), str(employee)],
    }

    everyone = await manager.client.post("/api/planning/availability", json=body)
    skilled = await manager.client.post(
        "/api/planning/availability", json={**body, "skills": ["electrical"]}
    )

    assert everyone.status_code == 200, everyone.text
    assert everyone.json()["needed_minutes"] == 3 * 8 * 60
    assert [
        (p["user_id"], p["free_minutes"], p["free_hours"]) for p in everyone.json()["people"]
    ] == [
        (str(employee), 40 * 60, 40.0),
        (str(tech2), 36 * 60, 36.0),
    ]
    assert [p["user_id"] for p in skilled.json()["people"]] == [str(tech2)]


def action_row(company: Company, title: str, **more: Any) -> Action:
    return Action(
        id=uuid7(),
        affair_id=company.affair_id,
        kind=more.pop("kind", ActionKind.TASK),
        title=title,
        **more,
    )


async def test_the_actions_to_schedule_are_the_open_ones_with_hours_and_a_due_date(
    db: Database, company: Company, device_of: Any
) -> None:
    await give_skills(db, company, {"tech": ["electrical"], "tech2": ["plumbing"]})
    wiring = action_row(company, "Rewire", planned_minutes=480, due_date=TUESDAY)
    leak = action_row(
        company,
        "Fix the leak",
        planned_minutes=120,
        due_date=MONDAY,
        kind=ActionKind.APPOINTMENT,
        assignee_id=company.users["tech2"],
        starts_at=paris(MONDAY, 9),
        ends_at=paris(MONDAY, 11),
    )
    left_out = [
        action_row(company, "No length", due_date=TUESDAY),
        action_row(company, "No due date", planned_minutes=60),
        action_row(company, "Done", planned_minutes=60, due_date=TUESDAY, done_at=paris(FRIDAY, 9)),
        action_row(
            company, "Deleted", planned_minutes=60, due_date=TUESDAY, deleted_at=paris(FRIDAY, 9)
        ),
    ]
    await add_rows(db, wiring, leak, *left_out)
    await add_rows(db, ActionSkill(action_id=wiring.id, skill="electrical"))
    manager = await device_of("manager")

    response = await manager.client.get("/api/planning/actions")

    assert response.status_code == 200, response.text
    answer = response.json()
    assert [a["title"] for a in answer["actions"]] == ["Fix the leak", "Rewire"]
    booked, open_one = answer["actions"]
    assert open_one["skills"] == ["electrical"]
    assert (open_one["minutes"], open_one["due"]) == (480, TUESDAY.isoformat())
    assert open_one["starts_at"] is None and open_one["assignee_name"] is None
    assert utc(booked["starts_at"]) == paris(MONDAY, 9)
    assert booked["assignee_name"]
    assert answer["skills"] == ["electrical", "plumbing"]


async def test_the_actions_to_schedule_need_a_session(app_client: Any) -> None:
    response = await app_client.get("/api/planning/actions")

    assert response.status_code == 401, response.text


ENDPOINTS = [
    ("get", "/api/planning/actions"),
    ("post", "/api/planning/availability"),
    ("post", "/api/planning/proposals"),
    ("get", "/api/planning/proposals/{id}"),
    ("post", "/api/planning/proposals/{id}/accept"),
]


@pytest.mark.parametrize("who", ["supervisor", "tech", "employee", "sales"])
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_only_managers_and_admins_plan(
    db: Database, company: Company, device_of: Any, who: str, method: str, path: str
) -> None:
    admin = await device_of("admin")
    proposal = await propose(admin, company, [new_action(company, "Visit", 60, MONDAY)])
    bodies = {
        "/api/planning/availability": {
            "affair_id": str(company.affair_id),
            "days": 1,
            "first_day": MONDAY.isoformat(),
            "last_day": TUESDAY.isoformat(),
        },
        "/api/planning/proposals": {
            "first_day": MONDAY.isoformat(),
            "actions": [new_action(company, "Visit", 60, MONDAY)],
        },
        "/api/planning/proposals/{id}/accept": {},
    }
    someone = await device_of(who)
    url = path.format(id=proposal["id"])
    changes = await count(db, ChangeLogEntry)

    if method == "get":
        response = await someone.client.get(url)
    else:
        response = await someone.client.post(url, json=bodies[path])

    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden"
    assert await count(db, PlanningProposal) == 1
    assert await count(db, ChangeLogEntry) == changes


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_day": "2027-03-26", "actions": []}, None),
        ({"first_day": "2027-03-26", "actions": [{"title": "No affair", "minutes": 60}]}, None),
        ({"first_day": "2027-03-26", "actions": [{"minutes": -5}]}, "actions[0].minutes"),
        ({"first_day": "someday", "actions": [{"action_id": None}]}, "first_day"),
        ({"first_day": "2027-03-26", "actions": [{"colour": "red"}]}, None),
        ({"first_day": "9999-12-31", "actions": [{"due": "9999-12-31"}]}, "first_day"),
        ({"first_day": "2027-03-26", "actions": [{"due": "0001-01-01"}]}, "due"),
    ],
)
async def test_bad_proposal_requests_write_nothing(
    db: Database, company: Company, device_of: Any, body: dict, field: str | None
) -> None:
    manager = await device_of("manager")

    response = await manager.client.post("/api/planning/proposals", json=body)

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_input"
    assert set(response.json()) == {"code", "message", "details"}
    if field:
        assert response.json()["details"]["field"] == field
    assert await count(db, PlanningProposal) == 0


async def test_unknown_records_and_keys_are_refused(
    db: Database, company: Company, device_of: Any
) -> None:
    manager = await device_of("manager")
    unknown_action = await manager.client.post(
        "/api/planning/proposals",
        json={"first_day": "2027-03-26", "actions": [{"action_id": str(uuid7())}]},
    )
    backwards = await manager.client.post(
        "/api/planning/availability",
        json={
            "affair_id": str(company.affair_id),
            "days": 1,
            "first_day": TUESDAY.isoformat(),
            "last_day": MONDAY.isoformat(),
        },
    )
    proposal = await propose(manager, company, [new_action(company, "Visit", 60, MONDAY)])
    unknown_key = await manager.client.post(
        f"/api/planning/proposals/{proposal['id']}/accept", json={"keys": ["nope"]}
    )

    assert unknown_action.status_code == 404
    assert backwards.status_code == 400
    assert backwards.json()["details"]["field"] == "last_day"
    assert unknown_key.status_code == 400
    assert await count(db, Action) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"first_day": "0001-01-01"}, "first_day"),
        ({"days": 0}, "days"),
        ({"skills": [""]}, "skills[0]"),
        ({"people": ["not-an-id"]}, "people[0]"),
    ],
)
async def test_bad_availability_requests_are_refused(
    db: Database, company: Company, device_of: Any, changes: dict, field: str
) -> None:
    manager = await device_of("manager")
    body = {
        "affair_id": str(company.affair_id),
        "days": 1,
        "first_day": MONDAY.isoformat(),
        "last_day": TUESDAY.isoformat(),
        **changes,
    }

    response = await manager.client.post("/api/planning/availability", json=body)

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_input"
    assert response.json()["details"]["field"] == field


@pytest.mark.parametrize("away", ["absence", "holiday", "afternoon off"])
async def test_a_person_away_since_the_proposal_is_not_booked(
    db: Database, company: Company, device_of: Any, away: str
) -> None:
    manager = await device_of("manager")
    proposal = await propose(
        manager,
        company,
        [
            new_action(company, "Visit", 60, MONDAY),
            new_action(company, "Call", 60, TUESDAY, earliest=TUESDAY.isoformat()),
        ],
        people=["tech"],
    )
    visit, call = proposal["items"]
    day = utc(visit["starts_at"]).date()
    assert utc(call["starts_at"]).date() != day
    assert utc(visit["starts_at"]).hour < 12  # the first slot of the day: a morning
    tech = company.users["tech"]
    await add_rows(
        db,
        {
            "absence": Absence(id=uuid7(), user_id=tech, first_day=day, last_day=day),
            "holiday": PublicHoliday(day=day, name="Decreed since"),
            "afternoon off": Absence(
                id=uuid7(), user_id=tech, first_day=day, last_day=day, part=AbsencePart.MORNING
            ),
        }[away],
    )

    response = await manager.client.post(
        f"/api/planning/proposals/{proposal['id']}/accept", json={}
    )

    assert response.json()["skipped"] == [{"key": visit["key"], "reason": "planning_person_away"}]
    assert response.json()["created"] == [call["action_id"]]


async def test_a_slot_booked_since_the_proposal_is_not_accepted(
    db: Database, company: Company, device_of: Any
) -> None:
    manager = await device_of("manager")
    proposal = await propose(
        manager,
        company,
        [new_action(company, "Visit", 60, MONDAY), new_action(company, "Call", 60, TUESDAY)],
        people=["tech"],
    )
    visit, call = proposal["items"]
    await add_rows(
        db,
        Action(
            id=uuid7(),
            affair_id=company.other_affair_id,
            kind=ActionKind.APPOINTMENT,
            title="Booked meanwhile",
            assignee_id=company.users["tech"],
            starts_at=utc(visit["starts_at"]),
            ends_at=utc(visit["ends_at"]),
        ),
    )

    response = await manager.client.post(
        f"/api/planning/proposals/{proposal['id']}/accept", json={}
    )

    assert response.json()["skipped"] == [{"key": visit["key"], "reason": "planning_slot_taken"}]
    assert response.json()["created"] == [call["action_id"]]
