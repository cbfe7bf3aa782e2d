"""Time entries and weeks through the mutators, as devices send them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.app import create_app
from backend.db.engine import Database
from backend.db.models import ConflictRecord, TimeEntry, TimesheetWeek, WeekStatus
from backend.lib.i18n import say_day
from backend.lib.time import utc_now, week_of
from backend.people.auth import SESSION_COOKIE
from backend.settings import Settings
from sync.ids import uuid7
from tests.backend.conftest import Device, api_client, session_token
from tests.factories import Company

MONDAY = dt.date(2026, 11, 23)
WEEK = week_of(MONDAY)


def entry(company: Company, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": str(uuid7()),
        "affair_id": str(company.affair_id),
        "work_date": MONDAY.isoformat(),
        "minutes": 120,
    }
    values.update(changes)
    return values


async def entries_of(db: Database, entry_id: str) -> list[TimeEntry]:
    async with db.reading() as session:
        found = await session.scalars(
            sa.select(TimeEntry).where(TimeEntry.id == uuid.UUID(entry_id))
        )
        return list(found)


async def version_of(db: Database, entry_id: str) -> int:
    async with db.reading() as session:
        version = await session.scalar(
            sa.select(TimeEntry.version).where(TimeEntry.id == uuid.UUID(entry_id))
        )
        assert version is not None
        return version


async def approved_week(device_of: Any, company: Company, person: str = "tech") -> None:
    worker = await device_of(person)
    supervisor = await device_of("supervisor")
    await worker.send("timesheet.submit", {"week": WEEK})
    result = await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users[person]), "week": WEEK}
    )
    assert result["status"] == "applied"


async def test_time_entry_put_creates_own_entry(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company, service_order_id=str(company.order_id), note="boiler")

    result = await tech.send("time_entry.put", values)

    assert result["status"] == "applied"
    [stored] = await entries_of(db, values["id"])
    assert stored.user_id == company.users["tech"]
    assert stored.minutes == 120
    assert stored.service_order_id == company.order_id


async def test_time_entry_edit_with_base_applies(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company)
    await tech.send("time_entry.put", values)
    base = await version_of(db, values["id"])
    other_device = await device_of("tech")

    result = await other_device.send("time_entry.put", {**values, "minutes": 90}, base=base)

    assert result["status"] == "applied"
    [stored] = await entries_of(db, values["id"])
    assert stored.minutes == 90


async def test_own_device_edit_without_base_is_no_conflict(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company)

    response = await tech.push(
        tech.mutation("time_entry.put", values),
        tech.mutation("time_entry.put", {**values, "minutes": 45}),
    )

    assert [r["status"] for r in response.json()["results"]] == ["applied", "applied"]
    [stored] = await entries_of(db, values["id"])
    assert stored.minutes == 45


async def test_other_fields_merge_three_way(device_of: Any, company: Company, db: Database) -> None:
    phone = await device_of("tech")
    tablet = await device_of("tech")
    values = entry(company, note="first")
    await phone.send("time_entry.put", values)
    base = await version_of(db, values["id"])

    await phone.send("time_entry.put", {**values, "note": "from phone"}, base=base)
    result = await tablet.send("time_entry.put", {**values, "minutes": 200}, base=base)

    assert result["status"] == "applied"
    [stored] = await entries_of(db, values["id"])
    assert (stored.minutes, stored.note) == (200, "from phone")


async def test_same_field_later_change_wins_and_loser_is_kept(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    tablet = await device_of("tech")
    values = entry(company)
    await phone.send("time_entry.put", values)
    base = await version_of(db, values["id"])
    now = dt.datetime.now(dt.UTC)

    await phone.send("time_entry.put", {**values, "minutes": 60}, base=base, at=now)
    result = await tablet.send(
        "time_entry.put", {**values, "minutes": 30}, base=base, at=now - dt.timedelta(hours=1)
    )

    assert result["status"] == "conflict"
    assert result["code"] == "concurrent_update"
    [stored] = await entries_of(db, values["id"])
    assert stored.minutes == 60
    async with db.reading() as session:
        conflict = await session.get(ConflictRecord, uuid.UUID(result["conflict_id"]))
    assert conflict is not None
    assert conflict.device_value == {"minutes": 30}
    assert conflict.server_value == {"minutes": 60}


async def test_day_over_24_hours_is_rejected(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    await tech.send("time_entry.put", entry(company, minutes=1000))

    result = await tech.send("time_entry.put", entry(company, minutes=500))

    assert result["status"] == "rejected"
    assert result["code"] == "day_over_24h"


async def test_interval_decides_minutes_across_clock_change(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    # 25 October 2026, Paris: clocks go back at 03:00 (CEST) to 02:00 (CET).
    starts = dt.datetime(2026, 10, 25, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    ends = dt.datetime(2026, 10, 25, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    values = entry(
        company,
        work_date="2026-10-25",
        minutes=1,
        starts_at=starts.isoformat(),
        ends_at=ends.isoformat(),
        tz="Europe/Paris",
    )

    await tech.send("time_entry.put", values)

    [stored] = await entries_of(db, values["id"])
    assert stored.minutes == 60
    assert stored.work_date == dt.date(2026, 10, 25)


async def test_S8_editing_the_end_after_the_clocks_go_back_keeps_the_start(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    await supervisor.pull()
    # 25 October 2026, Paris: 02:30 happens twice; this is the first one.
    first_half_past_two = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    paris = dt.timezone(dt.timedelta(hours=1))
    values = entry(
        company,
        work_date="2026-10-25",
        minutes=1,
        starts_at=first_half_past_two.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat(),
        ends_at=dt.datetime(2026, 10, 25, 4, 0, tzinfo=paris).isoformat(),
        tz="Europe/Paris",
    )
    await tech.send("time_entry.put", values)
    seen_between = await supervisor.pull()

    # Only the end changes, to 05:00 local (CET).
    later_end = dict(values, ends_at=dt.datetime(2026, 10, 25, 5, 0, tzinfo=paris).isoformat())
    result = await tech.send("time_entry.put", later_end, base=await version_of(db, values["id"]))

    assert result["status"] == "applied"
    [stored] = await entries_of(db, values["id"])
    assert stored.starts_at is not None
    assert stored.starts_at.replace(tzinfo=dt.UTC) == first_half_past_two
    # 00:30 to 04:00 UTC: three and a half real hours, though the wall
    # clock shows 02:30 to 05:00.
    assert stored.minutes == 210
    # The cursor is a change number: the supervisor's next pull brings
    # the edit, made "earlier" by the wall clock than the first write.
    [put] = [c for c in await supervisor.pull() if c["id"] == values["id"]]
    assert put["data"]["minutes"] == 210
    assert any(c["id"] == values["id"] for c in seen_between)


async def test_entry_on_an_affair_not_open_to_me_is_rejected(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")

    result = await tech.send(
        "time_entry.put", entry(company, affair_id=str(company.other_affair_id))
    )

    assert result["status"] == "rejected"
    assert result["code"] == "not_found"


async def test_nobody_edits_someone_elses_entry(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    employee = await device_of("employee")
    values = entry(company)
    await tech.send("time_entry.put", values)

    edit = await employee.send("time_entry.put", {**values, "minutes": 1})
    delete = await employee.send("time_entry.delete", {"id": values["id"]})

    assert (edit["status"], edit["code"]) == ("rejected", "forbidden")
    assert (delete["status"], delete["code"]) == ("rejected", "forbidden")


async def test_S13_retried_creation_makes_one_row(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company)
    note_id = str(uuid7())
    batch = [
        tech.mutation("time_entry.put", values),
        tech.mutation(
            "service_order.note",
            {
                "id": str(company.order_id),
                "note_id": note_id,
                "text": "new gasket",
            },
        ),
    ]

    for _ in range(3):
        response = await tech.push(*batch)
        assert response.status_code == 200
    fresh_install = await device_of("tech")
    replay = await fresh_install.push(
        fresh_install.mutation("time_entry.put", values),
        fresh_install.mutation(
            "service_order.note",
            {
                "id": str(company.order_id),
                "note_id": note_id,
                "text": "new gasket",
            },
        ),
    )

    assert [r["status"] for r in replay.json()["results"]] == ["applied", "applied"]
    assert len(await entries_of(db, values["id"])) == 1
    async with db.reading() as session:
        notes = await session.scalar(sa.text("SELECT count(*) FROM service_order_notes"))
    assert notes == 1
    with pytest.raises(sa.exc.IntegrityError):
        async with db.writing() as session:
            session.add(
                TimeEntry(
                    id=uuid.UUID(values["id"]),
                    user_id=company.users["tech"],
                    affair_id=company.affair_id,
                    work_date=MONDAY,
                    minutes=5,
                )
            )


async def test_S3_delete_against_edit_is_a_visible_conflict_either_order(
    device_of: Any, company: Company, db: Database
) -> None:
    for delete_first in (True, False):
        phone = await device_of("tech")
        tablet = await device_of("tech")
        values = entry(company, work_date=(MONDAY + dt.timedelta(days=1)).isoformat())
        await phone.send("time_entry.put", values)
        base = await version_of(db, values["id"])
        delete = ("time_entry.delete", {"id": values["id"]})
        edit = ("time_entry.put", {**values, "minutes": 240})

        first, second = (phone, tablet) if delete_first else (tablet, phone)
        await first.send(*(delete if delete_first else edit), base=base)
        result = await second.send(*(edit if delete_first else delete), base=base)

        assert result["status"] == "conflict", delete_first
        assert result["code"] == "delete_vs_update"


async def test_timesheet_submit_then_edit_returns_week_to_draft(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company)
    await tech.send("time_entry.put", values)

    submitted = await tech.send("timesheet.submit", {"week": WEEK})
    await tech.send("time_entry.put", {**values, "minutes": 100})

    assert submitted["status"] == "applied"
    async with db.reading() as session:
        week = await session.scalar(
            sa.select(TimesheetWeek).where(TimesheetWeek.user_id == company.users["tech"])
        )
    assert week is not None
    assert week.status == WeekStatus.DRAFT
    assert week.total_minutes == 100


async def test_S11_approved_week_is_locked_whatever_the_mutation(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company)
    await tech.send("time_entry.put", values)
    base = await version_of(db, values["id"])
    await approved_week(device_of, company)

    edit = await tech.send("time_entry.put", {**values, "minutes": 30}, base=base)
    new = await tech.send("time_entry.put", entry(company, work_date="2026-11-25"))
    delete = await tech.send("time_entry.delete", {"id": values["id"]}, base=base)
    moved_in = await tech.send("time_entry.put", entry(company, work_date="2026-12-01"))

    for result in (edit, new, delete):
        assert result["status"] == "conflict"
        assert result["code"] == "locked"
        assert "approved" in result["message"] or "approuvée" in result["message"]
    assert moved_in["status"] == "applied"
    [stored] = await entries_of(db, values["id"])
    assert (stored.minutes, stored.deleted_at) == (120, None)
    async with db.reading() as session:
        kinds = list(await session.scalars(sa.select(ConflictRecord.kind)))
    assert kinds == ["locked", "locked", "locked"]


async def test_S11_reopened_week_accepts_edits_again(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    values = entry(company)
    await tech.send("time_entry.put", values)
    await approved_week(device_of, company)

    reopened = await supervisor.send(
        "timesheet.reopen", {"user_id": str(company.users["tech"]), "week": WEEK}
    )
    edit = await tech.send("time_entry.put", {**values, "minutes": 30})

    assert reopened["status"] == "applied"
    assert edit["status"] == "applied"


async def test_only_a_decided_week_is_reopened(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    person = {"user_id": str(company.users["tech"]), "week": WEEK}

    await tech.send("timesheet.submit", {"week": WEEK})
    submitted = await supervisor.send("timesheet.reopen", person)
    await supervisor.send("timesheet.reject", {**person, "reason": "missing Friday"})
    rejected = await supervisor.send("timesheet.reopen", person)
    draft = await supervisor.send("timesheet.reopen", person)

    assert (submitted["status"], submitted["code"]) == ("rejected", "week_not_decided")
    assert rejected["status"] == "applied"
    assert draft["status"] == "applied"


async def test_reject_needs_a_reason_and_a_submitted_week(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    person = str(company.users["tech"])

    not_submitted = await supervisor.send(
        "timesheet.reject", {"user_id": person, "week": WEEK, "reason": "missing Friday"}
    )
    await tech.send("timesheet.submit", {"week": WEEK})
    no_reason = await supervisor.send(
        "timesheet.reject", {"user_id": person, "week": WEEK, "reason": ""}
    )
    rejected = await supervisor.send(
        "timesheet.reject", {"user_id": person, "week": WEEK, "reason": "missing Friday"}
    )

    assert (not_submitted["status"], not_submitted["code"]) == ("rejected", "week_not_submitted")
    assert (no_reason["status"], no_reason["code"]) == ("rejected", "invalid_input")
    assert rejected["status"] == "applied"


@pytest.mark.parametrize("decider", ["tech2", "employee", "sales", "outsider"])
async def test_only_overseers_approve_reject_or_reopen(
    device_of: Any, company: Company, decider: str
) -> None:
    tech = await device_of("tech")
    await tech.send("timesheet.submit", {"week": WEEK})
    someone = await device_of(decider)
    person = str(company.users["tech"])

    results = [
        await someone.send("timesheet.approve", {"user_id": person, "week": WEEK}),
        await someone.send("timesheet.reject", {"user_id": person, "week": WEEK, "reason": "x"}),
        await someone.send("timesheet.reopen", {"user_id": person, "week": WEEK}),
    ]

    assert [r["code"] for r in results] == ["forbidden"] * 3


async def test_supervisor_of_another_team_may_not_approve(
    device_of: Any, company: Company, db: Database
) -> None:
    from backend.db.models import Role, Team, User
    from tests.factories import PASSWORD_HASH

    async with db.writing() as session:
        other_lead = User(
            id=uuid7(),
            email="lead2@test.example",
            name="Lead 2",
            role=Role.SUPERVISOR,
            password_hash=PASSWORD_HASH,
        )
        session.add(other_lead)
        await session.flush()
        session.add(Team(id=uuid7(), name="South", supervisor_id=other_lead.id))
    company.users["lead2"] = other_lead.id
    tech = await device_of("tech")
    await tech.send("timesheet.submit", {"week": WEEK})
    lead2 = await device_of("lead2")

    result = await lead2.send(
        "timesheet.approve", {"user_id": str(company.users["tech"]), "week": WEEK}
    )

    assert result["code"] == "forbidden"


async def test_nobody_approves_their_own_week(device_of: Any, company: Company) -> None:
    supervisor = await device_of("supervisor")
    await supervisor.send("timesheet.submit", {"week": WEEK})

    result = await supervisor.send(
        "timesheet.approve", {"user_id": str(company.users["supervisor"]), "week": WEEK}
    )

    assert (result["status"], result["code"]) == ("rejected", "own_week")


async def test_manager_approves_anyone_but_themselves(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    manager = await device_of("manager")
    await tech.send("timesheet.submit", {"week": WEEK})

    result = await manager.send(
        "timesheet.approve", {"user_id": str(company.users["tech"]), "week": WEEK}
    )

    assert result["status"] == "applied"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("time_entry.put", {"id": "x"}),
        (
            "time_entry.put",
            {
                "id": str(uuid7()),
                "affair_id": str(uuid7()),
                "work_date": "2026-13-40",
                "minutes": 10,
            },
        ),
        (
            "time_entry.put",
            {
                "id": str(uuid7()),
                "affair_id": str(uuid7()),
                "work_date": "2026-11-23",
                "minutes": 0,
            },
        ),
        (
            "time_entry.put",
            {
                "id": str(uuid7()),
                "affair_id": str(uuid7()),
                "work_date": "2026-11-23",
                "minutes": 1441,
            },
        ),
        (
            "time_entry.put",
            {
                "id": str(uuid7()),
                "affair_id": str(uuid7()),
                "work_date": "2026-11-23",
                "minutes": 10,
                "extra": 1,
            },
        ),
        ("time_entry.delete", {}),
        ("timesheet.submit", {"week": "2026-49"}),
        ("timesheet.approve", {"user_id": "me", "week": "2026-W49"}),
        ("timesheet.reject", {"user_id": str(uuid7()), "week": "2026-W49"}),
    ],
)
async def test_bad_args_are_rejected_without_writing(
    device_of: Any, company: Company, db: Database, name: str, args: dict[str, Any]
) -> None:
    supervisor = await device_of("supervisor")

    result = await supervisor.send(name, args)

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(TimeEntry)) == 0
        assert await session.scalar(sa.select(sa.func.count()).select_from(TimesheetWeek)) == 0


@pytest.mark.parametrize(
    "week", ["2026-W49\n", "2026-W99", "2026-W00", "2027-W53", "0000-W01", "9999-W52", ""]
)
async def test_weeks_that_are_not_in_the_calendar_are_bad_input(
    device_of: Any, company: Company, db: Database, week: str
) -> None:
    tech = await device_of("tech")

    result = await tech.send("timesheet.submit", {"week": week})

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(TimesheetWeek)) == 0


@pytest.mark.parametrize(
    ("day", "code", "said"),
    [
        ("0001-01-01", "date_too_early", "earliest day allowed is 1 January 2000"),
        ("1999-12-31", "date_too_early", "earliest day allowed is 1 January 2000"),
        ("9999-12-31", "date_out_of_range", "latest day allowed"),
        ("2030-06-01", "date_out_of_range", "latest day allowed"),
    ],
)
async def test_implausible_work_dates_are_refused(
    device_of: Any, company: Company, day: str, code: str, said: str
) -> None:
    tech = await device_of("tech")

    result = await tech.send("time_entry.put", entry(company, work_date=day))

    assert (result["status"], result["code"]) == ("rejected", code)
    assert said in result["message"]


async def test_the_company_says_how_far_ahead_time_is_entered(
    db: Database, database_url: str, company: Company
) -> None:
    """``AFFAIRES_TIME_DAYS_AHEAD=0``: time for today, never for tomorrow."""
    settings = Settings(database_url=database_url, log_level="warning", time_days_ahead=0)
    today = utc_now().date()
    async with api_client(create_app(settings, database=db)) as client:
        client.cookies.set(SESSION_COOKIE, await session_token(db, company.users["tech"]))
        tech = Device(client=client)

        now = await tech.send("time_entry.put", entry(company, work_date=today.isoformat()))
        ahead = await tech.send(
            "time_entry.put", entry(company, work_date=(today + dt.timedelta(days=1)).isoformat())
        )

    assert now["status"] == "applied"
    assert (ahead["status"], ahead["code"]) == ("rejected", "date_out_of_range")
    assert f"the latest day allowed is {say_day(today, 'en')}" in ahead["message"]


async def test_the_start_must_be_on_the_work_date(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    elsewhere = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC).isoformat()

    result = await tech.send(
        "time_entry.put", entry(company, starts_at=elsewhere, tz="Europe/Paris")
    )
    empty_zone = await tech.send("time_entry.put", entry(company, tz=""))

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
    assert (empty_zone["status"], empty_zone["code"]) == ("rejected", "invalid_input")


async def test_an_instant_at_the_calendar_s_end_is_refused_not_a_crash(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    last_hour = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC).isoformat()

    result = await tech.send(
        "time_entry.put", entry(company, starts_at=last_hour, tz="Europe/Paris")
    )

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")


async def test_a_change_made_by_a_clock_in_year_1_is_not_dated_year_1(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    values = entry(company)

    result = await tech.send("time_entry.put", values, at=dt.datetime(1, 1, 1, 1, 0, tzinfo=dt.UTC))

    assert result["status"] == "applied"
    async with db.reading() as session:
        edited_at = await session.scalar(
            sa.select(TimeEntry.edited_at).where(TimeEntry.id == uuid.UUID(values["id"]))
        )
    assert edited_at is not None and edited_at.year == 2000


async def test_S3_delete_without_base_never_discards_an_edit_made_elsewhere(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    tablet = await device_of("tech")
    values = entry(company)
    await phone.send("time_entry.put", values)
    await tablet.send(
        "time_entry.put", {**values, "minutes": 300}, base=await version_of(db, values["id"])
    )

    result = await phone.send("time_entry.delete", {"id": values["id"]})

    assert (result["status"], result["code"]) == ("conflict", "delete_vs_update")
    # Said from the deleting side: the record stands, the delete waits.
    assert "it was not deleted" in result["message"]
    [stored] = await entries_of(db, values["id"])
    assert (stored.minutes, stored.deleted_at) == (300, None)


async def test_editing_my_own_creation_after_another_device_is_a_merge_not_a_clash(
    device_of: Any, company: Company, db: Database
) -> None:
    phone = await device_of("tech")
    tablet = await device_of("tech")
    values = entry(company, note="start")
    await phone.send("time_entry.put", values)
    await tablet.send(
        "time_entry.put", {**values, "minutes": 300}, base=await version_of(db, values["id"])
    )

    later = await phone.send("time_entry.put", {**values, "note": "from the phone"})

    assert later["status"] == "applied"
    [stored] = await entries_of(db, values["id"])
    assert (stored.minutes, stored.note) == (300, "from the phone")
