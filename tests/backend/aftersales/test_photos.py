"""Photos on checklist items: ``checklist.attach`` and its blobs."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from backend.db.engine import Database
from backend.db.models import (
    ChecklistPhoto,
    ChecklistRun,
    ChecklistRunStatus,
    ConflictRecord,
    ConflictStatus,
    Role,
    User,
)
from backend.offline import blobs
from sync.ids import uuid7
from tests.backend.conftest import Device
from tests.factories import Company, photo_bytes


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attach(company: Company, data: bytes, key: str = "state", **extra: Any) -> dict[str, Any]:
    return {
        "run_id": str(company.run_id),
        "item_key": key,
        "photo_id": str(uuid7()),
        "sha256": sha(data),
        **extra,
    }


async def put_blob(device: Device, data: bytes) -> dict[str, Any]:
    response = await device.client.put(
        f"/api/blobs/{sha(data)}", content=data, headers={"Content-Type": "image/png"}
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, Any] = response.json()
    return body


async def photos(db: Database) -> list[ChecklistPhoto]:
    async with db.reading() as session:
        return list(await session.scalars(sa.select(ChecklistPhoto).order_by(ChecklistPhoto.id)))


async def conflict(db: Database, conflict_id: str) -> ConflictRecord:
    async with db.reading() as session:
        found = await session.get(ConflictRecord, uuid.UUID(conflict_id))
    assert found is not None
    return found


async def test_a_photo_is_attached_once_its_blob_is_here(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(1)
    await put_blob(tech, photo)
    args = attach(company, photo, note="worn gasket")

    result = await tech.send("checklist.attach", args)

    assert result["status"] == "applied"
    [stored] = await photos(db)
    assert (str(stored.id), stored.item_key, stored.sha256, stored.note) == (
        args["photo_id"],
        "state",
        sha(photo),
        "worn gasket",
    )
    assert stored.taken_by_id == company.users["tech"]


async def test_photos_reach_who_sees_the_checklist(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(2)
    await put_blob(tech, photo)
    args = attach(company, photo)
    await tech.send("checklist.attach", args)

    pulled = {
        key: [c for c in await (await device_of(key)).pull() if c["type"] == "checklist_photo"]
        for key in ("tech", "supervisor", "manager", "tech2", "outsider")
    }

    for key in ("tech", "supervisor", "manager"):
        [change] = pulled[key]
        assert change["id"] == args["photo_id"]
        assert change["data"]["sha256"] == sha(photo)
        assert change["data"]["item_key"] == "state"
    assert pulled["tech2"] == pulled["outsider"] == []


async def test_who_sees_a_photo_may_fetch_its_blob(device_of: Any, company: Company) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(3)
    await put_blob(tech, photo)
    await tech.send("checklist.attach", attach(company, photo))

    fetched = {
        key: (await (await device_of(key)).client.get(f"/api/blobs/{sha(photo)}")).status_code
        for key in ("supervisor", "manager", "tech2", "outsider", "employee")
    }

    assert fetched == {
        "supervisor": 200,
        "manager": 200,
        "tech2": 404,
        "outsider": 404,
        "employee": 404,
    }


async def test_photos_are_only_added(device_of: Any, company: Company, db: Database) -> None:
    tech = await device_of("tech")
    other = await device_of("supervisor")
    first, second = photo_bytes(4), photo_bytes(5)
    for data in (first, second):
        await put_blob(tech, data)
    args = attach(company, first)

    applied = await tech.send("checklist.attach", args)
    same = await other.send("checklist.attach", args)
    clash = await other.send("checklist.attach", {**args, "sha256": sha(second)})
    another = await tech.send("checklist.attach", attach(company, second))

    assert [applied["status"], same["status"], another["status"]] == ["applied"] * 3
    assert (clash["status"], clash["code"]) == ("conflict", "duplicate_id")
    assert sorted(p.sha256 for p in await photos(db)) == sorted([sha(first), sha(second)])


async def test_a_resent_photo_is_a_duplicate_not_a_second_photo(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(6)
    await put_blob(tech, photo)
    mutation = tech.mutation("checklist.attach", attach(company, photo))

    first = (await tech.push(mutation)).json()["results"][0]
    again = (await tech.push(mutation)).json()["results"][0]

    assert (first["status"], again["status"], again["original"]) == (
        "applied",
        "duplicate",
        "applied",
    )
    assert len(await photos(db)) == 1


async def test_a_photo_whose_blob_is_missing_is_held_then_applied_when_it_arrives(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    photo = photo_bytes(7)
    args = attach(company, photo)
    await tech.pull()

    held = await tech.send("checklist.attach", args)
    before = await photos(db)
    changes_while_held = await tech.pull()
    stored = await put_blob(tech, photo)
    changes_after = await tech.pull()
    seen_by_supervisor = await supervisor.pull()

    assert (held["status"], held["code"]) == ("conflict", "missing_blob")
    assert "photo" in held["message"]
    assert before == []
    [open_conflict] = [c for c in changes_while_held if c["type"] == "conflict"]
    assert open_conflict["data"]["status"] == "open"
    assert open_conflict["data"]["kind"] == "missing_blob"
    assert stored["released"] == 1
    [photo_row] = await photos(db)
    assert str(photo_row.id) == args["photo_id"]
    assert photo_row.taken_by_id == company.users["tech"]
    kept = await conflict(db, held["conflict_id"])
    assert (kept.status, kept.resolution) == (ConflictStatus.RESOLVED, "device")
    # The author's device learns both: the photo, and the conflict closed.
    assert {(c["type"], c["id"]) for c in changes_after} >= {
        ("checklist_photo", args["photo_id"]),
        ("conflict", held["conflict_id"]),
    }
    [resolved] = [c for c in changes_after if c["type"] == "conflict"]
    assert resolved["data"]["status"] == "resolved"
    assert [c["id"] for c in seen_by_supervisor if c["type"] == "checklist_photo"] == [
        args["photo_id"]
    ]


async def test_every_change_held_for_a_blob_applies_once_in_order(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    other_device = await device_of("tech")
    photo = photo_bytes(8)
    first = attach(company, photo, "state")
    second = attach(company, photo, "pressure")

    held = [
        await tech.send("checklist.attach", first),
        await other_device.send("checklist.attach", second),
    ]
    stored = await put_blob(other_device, photo)
    again = await put_blob(tech, photo)

    assert [r["code"] for r in held] == ["missing_blob", "missing_blob"]
    assert (stored["released"], again["released"]) == (2, 0)
    rows = await photos(db)
    assert sorted(str(p.id) for p in rows) == sorted([first["photo_id"], second["photo_id"]])
    by_key = {p.item_key: p for p in rows}
    assert by_key["state"].taken_at <= by_key["pressure"].taken_at


async def test_a_held_photo_whose_checklist_closed_meanwhile_stays_a_conflict(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    supervisor = await device_of("supervisor")
    photo = photo_bytes(9)
    held = await tech.send("checklist.attach", attach(company, photo))
    await supervisor.send(
        "service_order.set_status", {"id": str(company.order_id), "status": "cancelled"}
    )

    stored = await put_blob(tech, photo)

    assert stored["released"] == 0
    assert await photos(db) == []
    still = await conflict(db, held["conflict_id"])
    assert (still.status, still.kind) == (ConflictStatus.OPEN, "locked")
    assert still.details["sha256"] == sha(photo)


async def test_a_held_photo_its_author_may_no_longer_add_is_closed_with_the_reason(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(10)
    held = await tech.send("checklist.attach", attach(company, photo))
    async with db.writing() as session:
        await session.execute(
            sa.update(User).where(User.id == company.users["tech"]).values(role=Role.EMPLOYEE)
        )

    stored = await put_blob(await device_of("supervisor"), photo)

    assert stored["released"] == 0
    assert await photos(db) == []
    closed = await conflict(db, held["conflict_id"])
    assert (closed.status, closed.resolution, closed.code) == (
        ConflictStatus.RESOLVED,
        "server",
        "forbidden",
    )


async def test_a_photo_on_a_signed_checklist_is_locked(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(11)
    await put_blob(tech, photo)
    async with db.writing() as session:
        run = await session.get(ChecklistRun, company.run_id)
        assert run is not None
        run.status = ChecklistRunStatus.SIGNED

    result = await tech.send("checklist.attach", attach(company, photo))

    assert (result["status"], result["code"]) == ("conflict", "locked")
    assert await photos(db) == []


@pytest.mark.parametrize("someone", ["tech2", "outsider", "employee", "sales"])
async def test_who_may_not_answer_the_checklist_may_not_add_photos(
    device_of: Any, company: Company, db: Database, someone: str
) -> None:
    device = await device_of(someone)
    photo = photo_bytes(12)
    await put_blob(device, photo)

    result = await device.send("checklist.attach", attach(company, photo))

    assert result["status"] == "rejected"
    assert result["code"] in ("forbidden", "not_found")
    assert await photos(db) == []


@pytest.mark.parametrize(
    "change",
    [
        {"sha256": "A" * 64},
        {"sha256": "abc"},
        {"photo_id": "not-a-uuid"},
        {"item_key": ""},
        {"note": "n" * 2001},
        {"unexpected": True},
    ],
)
async def test_bad_args_are_rejected(
    device_of: Any, company: Company, db: Database, change: dict[str, Any]
) -> None:
    tech = await device_of("tech")

    result = await tech.send("checklist.attach", {**attach(company, photo_bytes(13)), **change})

    assert (result["status"], result["code"]) == ("rejected", "invalid_input")
    assert await photos(db) == []


async def test_a_photo_of_an_unknown_item_or_run_is_rejected(
    device_of: Any, company: Company, db: Database
) -> None:
    tech = await device_of("tech")
    photo = photo_bytes(14)
    await put_blob(tech, photo)

    unknown_item = await tech.send("checklist.attach", attach(company, photo, "nope"))
    unknown_run = await tech.send(
        "checklist.attach", {**attach(company, photo), "run_id": str(uuid.uuid4())}
    )

    assert (unknown_item["status"], unknown_item["code"]) == ("rejected", "unknown_item")
    assert (unknown_run["status"], unknown_run["code"]) == ("rejected", "not_found")
    assert await photos(db) == []


async def test_knowing_a_hash_is_not_holding_the_photo(
    device_of: Any, company: Company, db: Database
) -> None:
    """Someone else's photo, named by its hash alone, is neither attached
    nor served: the change waits until its author uploads the bytes."""
    colleague, tech = await device_of("tech2"), await device_of("tech")
    theirs = photo_bytes(7)
    await put_blob(colleague, theirs)

    result = await tech.send("checklist.attach", attach(company, theirs))

    assert (result["status"], result["code"]) == ("conflict", "missing_blob")
    assert await photos(db) == []
    assert (await tech.client.get(f"/api/blobs/{sha(theirs)}")).status_code == 404

    # The same bytes from the technician's own phone: held, then applied.
    answer = await put_blob(tech, theirs)
    assert answer["released"] == 1
    assert len(await photos(db)) == 1
    assert (await tech.client.get(f"/api/blobs/{sha(theirs)}")).status_code == 200


async def test_a_device_may_keep_only_so_many_changes_waiting_for_photos(
    device_of: Any, company: Company, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobs, "MAX_WAITING_PER_DEVICE", 2)
    tech = await device_of("tech")

    results = [
        await tech.send("checklist.attach", attach(company, photo_bytes(shade)))
        for shade in (1, 2, 3)
    ]

    assert [(r["status"], r["code"]) for r in results] == [
        ("conflict", "missing_blob"),
        ("conflict", "missing_blob"),
        ("rejected", "too_many_waiting_photos"),
    ]
    assert "send the photos first" in results[2]["message"]


async def test_a_photo_given_up_on_by_the_supervisor_never_applies_when_it_comes(
    device_of: Any, company: Company, db: Database
) -> None:
    """The phone that took the photo was lost: the supervisor drops the
    change waiting for it, and the photo turning up later changes nothing."""
    tech, supervisor = await device_of("tech"), await device_of("supervisor")
    photo = photo_bytes(9)
    held = await tech.send("checklist.attach", attach(company, photo))
    await tech.pull()

    tech_refused = await tech.client.post(
        f"/api/conflicts/{held['conflict_id']}/resolve", json={"keep": "server"}
    )
    tech_refused_offline = await tech.send(
        "conflict.resolve", {"conflict_id": held["conflict_id"], "keep": "server"}
    )
    given_up = await supervisor.send(
        "conflict.resolve", {"conflict_id": held["conflict_id"], "keep": "server"}
    )
    told = [c for c in await tech.pull() if c["type"] == "conflict"]
    arrived = await put_blob(tech, photo)

    assert tech_refused.status_code == 403
    assert (tech_refused_offline["status"], tech_refused_offline["code"]) == (
        "rejected",
        "forbidden",
    )
    assert given_up["status"] == "applied"
    kept = await conflict(db, held["conflict_id"])
    assert (kept.status, kept.resolution) == (ConflictStatus.RESOLVED, "server")
    assert kept.resolved_by_id == company.users["supervisor"]
    assert kept.resolved_at is not None
    [record] = told
    assert record["data"]["status"] == "resolved"
    assert record["data"]["resolved_by_id"] == str(company.users["supervisor"])
    assert arrived["released"] == 0
    assert await photos(db) == []
    assert (await conflict(db, held["conflict_id"])).resolution == "server"
