"""Property: devices that work apart and sync in any order converge.

Hypothesis draws schedules for two to four devices (a technician's phone
and tablet, a colleague, their supervisor): each answers checklist items
offline and syncs at moments of its choosing, sometimes losing the answer
to a push and sending it again. (TODO(#3): time entries, deletions and
scope changes are to join the schedules.) At the end
every device syncs. Then:

- every device holds exactly what the server shows its person;
- every mutation has exactly one recorded outcome;
- nothing is lost without a record: each value a device sent was the
  server's value at some point (the change log keeps every write), or is
  kept in a conflict record. (A value later replaced by a change made
  with it in sight is no loss: that is simply the next edit.)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.app import create_app
from backend.db.engine import open_database
from backend.db.models import AppliedMutation, ChangeLogEntry, ConflictRecord
from backend.settings import Settings
from sync.ids import uuid7
from tests.backend.conftest import Device, session_token
from tests.conftest import empty_all_tables
from tests.factories import Company, make_company

ITEMS = ("state", "remarks")
VALUES = {"state": ("ok", "worn", "damaged"), "remarks": ("a", "b", "c", None)}
PEOPLE = ("tech", "tech", "tech2", "supervisor")


@dataclass
class Sent:
    """One mutation a device sent, for the bookkeeping of the checks."""

    device: int
    seq: int
    item: str
    value: Any


@dataclass
class Holder:
    device: Device
    person: str
    outbox: list[dict[str, Any]] = field(default_factory=list)
    held: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def apply(self, changes: list[dict[str, Any]], reset: bool) -> None:
        if reset:
            self.held.clear()
        for change in changes:
            key = (change["type"], change["id"])
            if change["op"] == "put":
                self.held[key] = change["data"]
            else:
                self.held.pop(key, None)


step = st.one_of(
    st.tuples(st.just("answer"), st.integers(0, 3), st.sampled_from(ITEMS), st.integers(0, 3)),
    st.tuples(st.just("sync"), st.integers(0, 3), st.booleans(), st.just(0)),
)


@settings(
    max_examples=int(os.environ.get("AFFAIRES_PROPERTY_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(devices=st.integers(2, 4), schedule=st.lists(step, min_size=1, max_size=16))
def test_devices_converge_whatever_the_schedule(
    database_url: str, devices: int, schedule: list[tuple[str, int, Any, int]]
) -> None:
    asyncio.run(run_schedule(database_url, devices, schedule))


async def run_schedule(
    database_url: str, devices: int, schedule: list[tuple[str, int, Any, int]]
) -> None:
    db = open_database(database_url)
    try:
        await empty_all_tables(db)
        company = await make_company(db)
        app = create_app(Settings(database_url=database_url, log_level="warning"), database=db)
        holders = [await _holder(db, app, company, PEOPLE[index]) for index in range(devices)]
        sent: list[Sent] = []
        clock = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)

        for kind, who, what, which in schedule:
            holder = holders[who % devices]
            clock += dt.timedelta(minutes=1)
            if kind == "answer" and holder.person in ("tech", "supervisor"):
                value = VALUES[what][which % len(VALUES[what])]
                base = _version_held(holder, company, what)
                mutation = holder.device.mutation(
                    "checklist.answer",
                    {"run_id": str(company.run_id), "item_key": what, "value": value},
                    base=base,
                    at=clock,
                )
                holder.outbox.append(mutation)
                sent.append(Sent(who % devices, mutation["seq"], what, value))
            elif kind == "sync":
                await _sync(holder, lose_answer=bool(what))

        for holder in holders:
            await _sync(holder, lose_answer=False)
        for holder in holders:
            await _sync(holder, lose_answer=False)

        await _check(db, holders, company, sent)
        for holder in holders:
            await holder.device.client.aclose()
    finally:
        await db.dispose()


async def _holder(db: Any, app: Any, company: Company, person: str) -> Holder:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )
    client.cookies.set("affaires_session", await session_token(db, company.users[person]))
    return Holder(Device(client=client), person)


def _version_held(holder: Holder, company: Company, item: str) -> int | None:
    for (kind, _), data in holder.held.items():
        if kind == "checklist_answer" and data["item_key"] == item:
            return data.get("_version")
    return None


async def _sync(holder: Holder, *, lose_answer: bool) -> None:
    """Push the outbox (maybe losing the answer, as a dropped network
    would), then pull everything."""
    if holder.outbox:
        response = await holder.device.push(*holder.outbox)
        assert response.status_code == 200, response.text
        if lose_answer:
            return
        done = {result["seq"] for result in response.json()["results"]}
        holder.outbox = [m for m in holder.outbox if m["seq"] not in done]
    while True:
        page = (
            await holder.device.client.post(
                "/api/sync/pull",
                json={
                    "protocol": 1,
                    "schema": 1,
                    "client_id": str(holder.device.client_id),
                    "cursor": holder.device.cursor,
                },
            )
        ).json()
        for change in page["changes"]:
            if change.get("data") is not None:
                change["data"]["_version"] = change["version"]
        holder.apply(page["changes"], page["reset"])
        holder.device.cursor = page["cursor"]
        if not page["has_more"]:
            return


async def _check(db: Any, holders: list[Holder], company: Company, sent: list[Sent]) -> None:
    async with db.reading() as session:
        history = [
            (data or {}).get
            for data in await session.scalars(
                sa.select(ChangeLogEntry.data).where(
                    ChangeLogEntry.entity_type == "checklist_answer"
                )
            )
        ]
        outcomes = await session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation))
        conflicts = list(await session.scalars(sa.select(ConflictRecord)))

    # Every device holds what the server shows its person.
    for holder in holders:
        fresh = Holder(Device(client=holder.device.client, client_id=uuid7()), holder.person)
        await _sync(fresh, lose_answer=False)
        assert _plain(holder.held) == _plain(fresh.held), holder.person

    # Every mutation has one recorded outcome.
    assert outcomes == len(sent)

    # Nothing lost without a record.
    kept = [c.device_value for c in conflicts] + [c.server_value for c in conflicts]
    for mutation in sent:
        was_there = any(
            get("item_key") == mutation.item and get("value") == mutation.value for get in history
        )
        recorded = any(
            isinstance(side, dict) and side.get("value") == mutation.value for side in kept
        )
        assert was_there or recorded, mutation


def _plain(held: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], Any]:
    return {key: {k: v for k, v in data.items() if k != "_version"} for key, data in held.items()}
