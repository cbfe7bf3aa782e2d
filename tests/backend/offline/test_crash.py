"""Crash test: the server is killed (SIGKILL) at random moments during
pushes, twenty times, and started again; the device keeps retrying. Every
mutation must be applied exactly once and the database stay consistent:
a mutation's effects and the device's ``last_seq`` commit together.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from backend.db.engine import open_database
from backend.db.models import AppliedMutation, Device, ServiceOrderNote
from tests.backend.conftest import session_token
from tests.conftest import DatabaseFactory, empty_all_tables
from tests.factories import Company, make_company

AFFAIRES = str(Path(sys.executable).with_name("affaires"))
KILLS = 20
NOTES = 2000
BATCH = 50


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [AFFAIRES, "serve", "--port", str(self.port), "--database", self.database_url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "AFFAIRES_LOG_LEVEL": "warning"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/api/build", timeout=0.5)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def kill_at_random(server: Server, chance: random.Random) -> None:
    """Kill the server at random moments, and start it again each time."""
    for _ in range(KILLS):
        time.sleep(chance.uniform(0.02, 0.25))
        server.kill()
        server.start()


async def prepare(database_url: str) -> tuple[Company, str]:
    db = open_database(database_url)
    await empty_all_tables(db)
    company = await make_company(db)
    token = await session_token(db, company.users["tech"])
    await db.dispose()
    return company, token


async def what_was_kept(database_url: str, client_id: uuid.UUID) -> dict[str, Any]:
    db = open_database(database_url)
    async with db.reading() as session:
        notes = list(await session.scalars(sa.select(ServiceOrderNote.text)))
        outcomes = list(
            await session.execute(
                sa.select(AppliedMutation.seq, AppliedMutation.status).where(
                    AppliedMutation.client_id == client_id
                )
            )
        )
        device = await session.get(Device, client_id)
    await db.dispose()
    return {"notes": notes, "outcomes": outcomes, "last_seq": device.last_seq if device else 0}


def test_killed_server_applies_every_mutation_exactly_once(databases: DatabaseFactory) -> None:
    database_url = databases.fresh()
    company, token = asyncio.run(prepare(database_url))
    server = Server(database_url)
    server.start()
    client_id = uuid.uuid4()
    outbox = [
        {
            "seq": n + 1,
            "id": str(uuid.uuid4()),
            "name": "service_order.note",
            "args": {
                "id": str(company.order_id),
                "note_id": str(uuid.uuid4()),
                "text": f"note {n + 1}",
            },
            "at": dt.datetime.now(dt.UTC).isoformat(),
        }
        for n in range(NOTES)
    ]
    killer = threading.Thread(target=kill_at_random, args=(server, random.Random(20261204)))
    killer.start()
    interrupted = 0

    with httpx.Client(
        base_url=server.url, cookies={"affaires_session": token}, timeout=5
    ) as device:
        while outbox or killer.is_alive():
            if not outbox:
                time.sleep(0.05)
                continue
            try:
                answer = device.post(
                    "/api/sync/push",
                    json={
                        "protocol": 1,
                        "schema": 1,
                        "client_id": str(client_id),
                        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                        "mutations": outbox[:BATCH],
                    },
                )
            except httpx.ConnectError:
                time.sleep(0.02)
                continue
            except httpx.TransportError:
                # Killed while the push was in flight: its answer is lost.
                interrupted += 1
                continue
            if answer.status_code == 200:
                acked = {result["seq"] for result in answer.json()["results"]}
                outbox = [m for m in outbox if m["seq"] not in acked]
            elif answer.status_code == 409:
                outbox = [m for m in outbox if m["seq"] >= answer.json()["expected"]]
            else:
                assert answer.status_code == 503, answer.text
    killer.join()
    server.kill()

    kept = asyncio.run(what_was_kept(database_url, client_id))
    assert interrupted > 0, "no kill landed during a push"
    assert sorted(kept["notes"]) == sorted(f"note {n + 1}" for n in range(NOTES))
    assert sorted(seq for seq, _ in kept["outcomes"]) == list(range(1, NOTES + 1))
    assert {status for _, status in kept["outcomes"]} == {"applied"}
    assert kept["last_seq"] == NOTES
