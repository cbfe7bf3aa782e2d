"""Push and pull over HTTP: the protocol's bookkeeping (PROTOCOL.md)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from typing import Any

import pytest
import sqlalchemy as sa

from backend.app import create_app
from backend.db.engine import Database
from backend.db.models import AppliedMutation, ChecklistAnswer, TimesheetWeek, WeekStatus
from backend.db.models import Device as DeviceRow
from backend.people.auth import SESSION_COOKIE
from backend.settings import Settings
from backend.timesheets.services import week_id
from tests.backend.conftest import Device, api_client, session_token
from tests.factories import Company


def answer(company: Company, key: str = "state", value: Any = "ok") -> dict[str, Any]:
    return {"run_id": str(company.run_id), "item_key": key, "value": value}


async def test_push_applies_and_moves_last_seq(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")

    response = await tech.push(
        tech.mutation("checklist.answer", answer(company)),
        tech.mutation("checklist.answer", answer(company, "pressure", 1.8)),
    )

    body = response.json()
    assert response.status_code == 200
    assert body["last_seq"] == 2
    assert [result["status"] for result in body["results"]] == ["applied", "applied"]
    assert body["checkpoint"] > 0
    async with db.reading() as session:
        device = await session.get(DeviceRow, tech.client_id)
        assert device is not None and device.last_seq == 2


async def test_S1_lost_acknowledgement_resend_is_duplicate(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    batch = [
        tech.mutation(
            "service_order.note",
            {
                "id": str(company.order_id),
                "note_id": str(note_id),
                "text": f"note {n}",
            },
        )
        for n, note_id in enumerate(_ids(200))
    ]

    first = await tech.push(*batch)
    again = await tech.push(*batch)

    assert first.status_code == again.status_code == 200
    assert {r["status"] for r in first.json()["results"]} == {"applied"}
    assert {r["status"] for r in again.json()["results"]} == {"duplicate"}
    assert {r["original"] for r in again.json()["results"]} == {"applied"}
    async with db.reading() as session:
        notes = await session.scalar(sa.text("SELECT count(*) FROM service_order_notes"))
        recorded = await session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation))
    assert notes == 200
    assert recorded == 200


async def test_duplicate_repeats_the_first_outcome(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    refused = tech.mutation("checklist.answer", answer(company, "nope", True))

    first = (await tech.push(refused)).json()["results"][0]
    again = (await tech.push(refused)).json()["results"][0]

    assert first["status"] == "rejected"
    assert again["status"] == "duplicate"
    assert again["original"] == "rejected"
    assert again["code"] == first["code"] == "unknown_item"


async def test_a_number_used_again_for_another_change_is_refused_visibly(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    first = tech.mutation("checklist.answer", answer(company, "state", "ok"))
    other = {**tech.mutation("checklist.answer", answer(company, "state", "worn")), "seq": 1}
    tech.seq = 1

    results = (await tech.push(first, other)).json()["results"]
    later = (await tech.push(other)).json()["results"][0]

    assert [(r["status"], r.get("code")) for r in results] == [
        ("applied", None),
        ("rejected", "seq_reused"),
    ]
    assert (later["status"], later["code"]) == ("rejected", "seq_reused")
    assert "number 1" in later["message"]
    async with db.reading() as session:
        assert await session.scalar(sa.select(ChecklistAnswer.value)) == "ok"


async def test_seq_gap_stops_the_batch_with_409(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    first = tech.mutation("checklist.answer", answer(company))
    tech.seq += 5
    skipped = tech.mutation("checklist.answer", answer(company, "pressure", 2.0))

    response = await tech.push(first, skipped)

    assert response.status_code == 409
    assert response.json()["code"] == "seq_gap"
    assert response.json()["expected"] == 2
    assert response.json()["details"] == {"expected": 2}
    async with db.reading() as session:
        device = await session.get(DeviceRow, tech.client_id)
        answers = await session.scalar(sa.select(sa.func.count()).select_from(ChecklistAnswer))
    assert device is not None and device.last_seq == 1
    assert answers == 1


async def test_unknown_mutator_is_rejected_and_the_batch_goes_on(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")

    response = await tech.push(
        tech.mutation("teleport.now", {}),
        tech.mutation("checklist.answer", answer(company)),
    )

    results = response.json()["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["code"] == "unknown_mutator"
    assert results[1]["status"] == "applied"
    assert response.json()["last_seq"] == 2


async def test_bad_args_reject_one_mutation_naming_the_field(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")

    result = await tech.send(
        "checklist.answer", {"run_id": "not-a-uuid", "item_key": "x", "value": 1}
    )

    assert result["status"] == "rejected"
    assert result["code"] == "invalid_input"
    assert "run_id" in result["details"]["reason"]


async def test_bad_args_are_explained_in_the_person_s_language(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    tech.client.headers["accept-language"] = "fr-FR,fr;q=0.9"

    result = await tech.send("timesheet.submit", {"week": "2026-48"})

    assert result["code"] == "invalid_input"
    assert result["message"] == (
        "La requête n'est pas valide\u00a0: "
        "le texte n'a pas la forme attendue (champ «\u00a0week\u00a0»)"
    )
    assert "regex" in result["details"]["reason"]


async def test_old_schema_gets_426_upgrade_required(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")

    response = await tech.push(tech.mutation("checklist.answer", answer(company)), schema=0)

    assert response.status_code == 426
    assert response.json()["code"] == "upgrade_required"
    assert response.json()["min_schema"] == 1
    assert response.json()["details"]["min_schema"] == 1


async def test_a_server_that_moved_on_refuses_the_old_schema_and_takes_the_new(
    db: Database, database_url: str, company: Company
) -> None:
    newer = create_app(
        Settings(database_url=database_url, log_level="warning", min_schema=2, max_schema=2),
        database=db,
    )
    async with api_client(newer) as client:
        client.cookies.set(SESSION_COOKIE, await session_token(db, company.users["tech"]))
        tech = Device(client=client)
        old = await tech.push(tech.mutation("checklist.answer", answer(company)))
        tech.seq = 0
        new = await tech.push(tech.mutation("checklist.answer", answer(company)), schema=2)

    assert old.status_code == 426
    assert old.json()["min_schema"] == 2
    assert old.json()["message"] == "This version of the app is too old; it is updating."
    assert new.status_code == 200
    assert new.json()["results"][0]["status"] == "applied"


def test_raising_the_oldest_schema_raises_the_newest_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AFFAIRES_MIN_SCHEMA", "2")

    settings = Settings.from_env()

    assert (settings.min_schema, settings.max_schema) == (2, 2)
    with pytest.raises(ValueError, match="accepted schemas"):
        Settings(min_schema=3, max_schema=2)


async def test_more_than_500_mutations_is_413(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    batch = [tech.mutation("checklist.answer", answer(company)) for _ in range(501)]

    response = await tech.push(*batch)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


async def test_body_over_one_mib_is_413(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    big = tech.mutation(
        "service_order.note",
        {
            "id": str(company.order_id),
            "note_id": str(_ids(1)[0]),
            "text": "x" * (1024 * 1024),
        },
    )

    response = await tech.push(big)

    assert response.status_code == 413


async def test_gzip_body_is_accepted(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    body = {
        "protocol": 1,
        "schema": 1,
        "client_id": str(tech.client_id),
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        "mutations": [tech.mutation("checklist.answer", answer(company))],
    }

    response = await tech.client.post(
        "/api/sync/push",
        content=gzip.compress(json.dumps(body).encode()),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "applied"


async def test_malformed_push_bodies_get_the_error_shape_and_write_nothing(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    bodies = [
        b"not json",
        b"[]",
        b'{"protocol": 1}',
        json.dumps(
            {"protocol": 1, "schema": 1, "client_id": "x", "sent_at": "now", "mutations": []}
        ).encode(),
        json.dumps(
            {
                "protocol": 1,
                "schema": 1,
                "client_id": str(tech.client_id),
                "sent_at": "2026-12-04T10:00:00",
                "mutations": [],
            }
        ).encode(),
        json.dumps(
            {
                "protocol": 1,
                "schema": 1,
                "client_id": str(tech.client_id),
                "sent_at": "2026-12-04T10:00:00+01:00",
                "mutations": [{"seq": 0, "id": "x", "name": "a", "args": {}, "at": "x"}],
            }
        ).encode(),
        gzip.compress(b"x" * 10) + b"broken",
    ]

    for body in bodies:
        headers = {"content-type": "application/json"}
        if body.startswith(b"\x1f\x8b"):
            headers["content-encoding"] = "gzip"
        response = await tech.client.post("/api/sync/push", content=body, headers=headers)
        assert response.status_code == 400, body
        assert set(response.json()) == {"code", "message", "details"}

    async with db.reading() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(DeviceRow)) == 0


async def test_push_and_pull_need_a_session(app_client: Any) -> None:
    for path in ("/api/sync/push", "/api/sync/pull"):
        response = await app_client.post(path, json={})
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


async def test_a_device_belongs_to_one_person(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    tech2 = await device_of("tech2")
    await tech.send("checklist.answer", answer(company))
    tech2.client_id = tech.client_id

    response = await tech2.push(tech2.mutation("timesheet.submit", {"week": "2026-W49"}))

    assert response.status_code == 403
    assert response.json()["code"] == "device_of_another_user"


async def test_pull_pages_and_cursor_never_skip(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    everything = await tech.pull()
    fresh = await device_of("tech")

    paged = await fresh.pull(limit=3)

    assert [c["id"] for c in paged] == [c["id"] for c in everything]
    versions = [c["version"] for c in paged]
    assert versions == sorted(versions)


async def test_pull_with_nothing_new_is_empty_and_keeps_cursor(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    await tech.pull()
    cursor = tech.cursor

    again = await tech.pull()

    assert again == []
    assert tech.cursor == cursor


async def test_pull_carries_own_writes_after_checkpoint(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    await tech.pull()

    response = await tech.push(tech.mutation("checklist.answer", answer(company, "state", "worn")))
    changes = await tech.pull()

    checkpoint = response.json()["checkpoint"]
    assert int(tech.cursor[1:].split(".")[0]) >= checkpoint
    puts = [c for c in changes if c["type"] == "checklist_answer"]
    assert puts[0]["data"]["value"] == "worn"


async def test_unknown_cursor_answers_reset(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    tech.cursor = "garbage"

    response = await tech.client.post(
        "/api/sync/pull",
        json={
            "protocol": 1,
            "schema": 1,
            "client_id": str(tech.client_id),
            "cursor": "zzz",
        },
    )

    assert response.status_code == 200
    assert response.json()["reset"] is True
    assert response.json()["changes"]


async def test_pull_is_scoped_to_what_the_person_may_see(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    outsider = await device_of("outsider")

    tech_orders = {c["id"] for c in await tech.pull() if c["type"] == "service_order"}
    outsider_changes = await outsider.pull()

    assert tech_orders == {str(company.order_id)}
    assert {c["id"] for c in outsider_changes if c["type"] == "service_order"} == {
        str(company.other_order_id)
    }
    assert not [c for c in outsider_changes if c["type"] == "checklist_run"]
    assert all("password_hash" not in (c.get("data") or {}) for c in outsider_changes)


def _ids(count: int) -> list[Any]:
    from sync.ids import uuid7

    return [uuid7() for _ in range(count)]


async def test_a_reused_mutation_id_is_refused_and_the_batch_goes_on(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    first = tech.mutation("checklist.answer", answer(company))
    await tech.push(first)
    reused = {
        **tech.mutation("checklist.answer", answer(company, "pressure", 2.0)),
        "id": first["id"],
    }
    after = tech.mutation("checklist.answer", answer(company, "state", "worn"))

    response = await tech.push(reused, after)
    again = await tech.push(reused, after)

    assert response.status_code == again.status_code == 200
    results = response.json()["results"]
    assert (results[0]["status"], results[0]["code"]) == ("rejected", "duplicate_mutation_id")
    assert results[1]["status"] == "applied"
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]


async def test_a_mutation_id_used_twice_in_one_batch_is_refused_the_second_time(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    first = tech.mutation("checklist.answer", answer(company))
    reused = {
        **tech.mutation("checklist.answer", answer(company, "pressure", 2.0)),
        "id": first["id"],
    }

    response = await tech.push(first, reused)
    again = await tech.push(first, reused)

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["status"] == "applied"
    assert (results[1]["status"], results[1]["code"]) == ("rejected", "duplicate_mutation_id")
    assert [(r["status"], r["original"]) for r in again.json()["results"]] == [
        ("duplicate", "applied"),
        ("duplicate", "rejected"),
    ]


async def test_a_batch_that_repeats_a_seq_answers_it_as_a_duplicate(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    first = tech.mutation("checklist.answer", answer(company))

    response = await tech.push(first, first)

    assert response.status_code == 200
    assert [(r["status"], r.get("original")) for r in response.json()["results"]] == [
        ("applied", None),
        ("duplicate", "applied"),
    ]


async def test_a_cursor_the_server_never_gave_resets(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")

    for cursor in ("c999999999", "c١٢٣", "c-1", "c1.5"):
        response = await tech.client.post(
            "/api/sync/pull",
            json={
                "protocol": 1,
                "schema": 1,
                "client_id": str(tech.client_id),
                "cursor": cursor,
            },
        )
        page = response.json()
        assert response.status_code == 200, cursor
        assert page["reset"] is True, cursor
        assert page["changes"], cursor
        assert page["cursor"] != cursor


async def test_encodings_of_a_push_body(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    body = json.dumps(
        {
            "protocol": 1,
            "schema": 1,
            "client_id": str(tech.client_id),
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "mutations": [tech.mutation("checklist.answer", answer(company))],
        }
    ).encode()

    def post(content: bytes, encoding: str) -> Any:
        return tech.client.post(
            "/api/sync/push",
            content=content,
            headers={
                "content-type": "application/json",
                "content-encoding": encoding,
            },
        )

    upper = await post(gzip.compress(body), "GZIP")
    brotli = await post(body, "br")
    truncated = await post(gzip.compress(body)[:-12], "gzip")

    assert upper.status_code == 200
    assert brotli.status_code == 415
    assert brotli.json()["code"] == "unsupported_encoding"
    assert "gzip" in brotli.json()["message"]
    assert truncated.status_code == 400
    assert truncated.json()["details"]["reason"] == "the body is not valid gzip"


async def test_too_large_says_why(app_client: Any) -> None:
    response = await app_client.post(
        "/api/auth/login",
        content=b"x" * (9 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert "{" not in response.json()["message"]


async def test_deeply_nested_args_reject_one_mutation(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    nested = tech.mutation("checklist.answer", answer(company))
    body = json.dumps(
        {
            "protocol": 1,
            "schema": 1,
            "client_id": str(tech.client_id),
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            "mutations": [nested],
        }
    ).replace('"value": "ok"', '"value": ' + "[" * 3000 + "]" * 3000)

    response = await tech.client.post(
        "/api/sync/push", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


async def test_a_clock_reset_to_1970_does_not_win_later_ties(
    device_of: Any, company: Company, db: Database
) -> None:
    broken = await device_of("tech")
    honest = await device_of("supervisor")
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    body = {
        "protocol": 1,
        "schema": 1,
        "client_id": str(broken.client_id),
        "sent_at": "1970-01-01T00:00:05+00:00",
        "mutations": [broken.mutation("checklist.answer", answer(company), at=an_hour_ago)],
    }
    await broken.client.post("/api/sync/push", json=body)

    result = await honest.send("checklist.answer", answer(company, "state", "worn"))

    assert result["status"] == "applied"
    async with db.reading() as session:
        stored = await session.scalar(sa.select(ChecklistAnswer.value))
    assert stored == "worn"


async def test_a_clock_at_the_end_of_time_is_no_crash(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    body = {
        "protocol": 1,
        "schema": 1,
        "client_id": str(tech.client_id),
        "sent_at": "9999-12-31T23:59:59+00:00",
        "mutations": [
            tech.mutation(
                "checklist.answer",
                answer(company),
                at=dt.datetime(1, 1, 2, tzinfo=dt.UTC),
            )
        ],
    }

    response = await tech.client.post("/api/sync/push", json=body)

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "applied"


async def test_S4_created_and_deleted_between_two_pulls_leaves_no_ghost(
    device_of: Any, company: Company
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    await supervisor.pull()
    created = {
        "id": "01890000-0000-7000-8000-0000000000a4",
        "affair_id": str(company.affair_id),
        "work_date": "2026-11-23",
        "minutes": 45,
    }

    # Created, synced, deleted, synced: all within a second.
    assert (await tech.send("time_entry.put", created))["status"] == "applied"
    await tech.pull()
    deleted = await tech.send("time_entry.delete", {"id": created["id"]})
    assert deleted["status"] == "applied"

    # A new device of another person in scope, from zero: nothing of it.
    newcomer = await device_of("supervisor")
    assert all(change["id"] != created["id"] for change in await newcomer.pull())
    # A device that pulled before the creation hears at most that it is gone.
    later = [change for change in await supervisor.pull() if change["id"] == created["id"]]
    assert all(change["op"] == "del" for change in later)
    assert all(change["id"] != created["id"] for change in await newcomer.pull())


async def test_a_week_carries_the_name_of_whoever_decided_it(
    db: Database, device_of: Any, company: Company
) -> None:
    # A manager outside the employee's team approves her week: her device
    # does not hold the manager, so the week names them.
    employee, manager = company.users["employee"], company.users["manager"]
    async with db.writing() as session:
        session.add(
            TimesheetWeek(
                id=week_id(employee, "2026-W10"), user_id=employee, week="2026-W10",
                status=WeekStatus.APPROVED, decided_by_id=manager,
                decided_at=dt.datetime(2026, 3, 6, 17, tzinfo=dt.UTC),
            )
        )  # fmt: skip
    device = await device_of("employee")

    changes = await device.pull()

    weeks = [c["data"] for c in changes if c["type"] == "timesheet_week"]
    assert [(w["decided_by_id"], w["decided_by_name"]) for w in weeks] == [
        (str(manager), "Manager")
    ]
    # The name, and nothing more of the manager.
    assert str(manager) not in {c["id"] for c in changes if c["type"] == "user"}
