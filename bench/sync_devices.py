"""200 devices pushing and pulling at once, and nothing lost.

    .venv/bin/python bench/sync_devices.py [--devices 200] [--rounds 3]
        [--steady 30] [--every 5] [--workers 1]

For SQLite and PostgreSQL, each on a fresh database holding one
technician per device (two service orders each), a real server
(`affaires serve`) on 127.0.0.1 meets every device at the same moment:
each device, started together, pulls its scope, then ``--rounds`` times
pushes a small batch of its usual work (5 mutations) and pulls what
changed, as the app does when the network comes back. Then the same
devices, synced now, all come back at once again: ``--rounds`` times a
push and a pull, no first pull. Then, for ``--steady`` seconds, the same
devices in use, all online, as through a working day: each saves 1 to 5
changes about every ``--every`` seconds (at random), sends them and
pulls. Each part has its own figures. Every request's
time is taken by its client, from its first sending to its answer (a
503, database busy, is sent again after a pause, as the app does, and
counted); the table gives the 95th percentile of all of them, pushes
and pulls.

Then the database is read: every mutation sent must be recorded once as
applied, every device's ``last_seq`` must be its last number, and every
answer, note and time entry sent must be there.

``--workers N``: the server runs N processes on PostgreSQL (SQLite keeps
to one).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa
from databases import KINDS, fresh_database, load_average, met, print_report
from demo_server import running_server
from field_work import FieldDevice, build_company, pull_body, push_body

from backend.db.engine import open_database
from backend.db.models import (
    AppliedMutation,
    ChecklistAnswer,
    Device,
    MutationStatus,
    ServiceOrderNote,
    TimeEntry,
)
from backend.people.auth import SESSION_COOKIE

BATCH = 5
# A busy answer is sent again this many times at most, as the app would.
RETRIES = 8
P95_TARGET_MS = 250


async def run_device(
    url: str,
    token: str,
    device: FieldDevice,
    rounds: int,
    start: asyncio.Event,
    cursor: str | None = None,
) -> tuple[list[float], Counter[str], list[dict[str, Any]], str]:
    """One phone's sync after the network came back: its request times,
    its results, the mutations it sent and its cursor at the end. With a
    ``cursor``, the phone had synced before: no first pull."""
    times: list[float] = []
    statuses: Counter[str] = Counter()
    sent: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(
        base_url=url, cookies={SESSION_COOKIE: token}, timeout=120, limits=limits
    ) as client:
        await start.wait()
        if cursor is None:
            cursor = await _pull(client, device.client_id, None, times, statuses)
        for _ in range(rounds):
            mutations = device.work(BATCH)
            sent.extend(mutations)
            response = await _post(
                client, "/api/sync/push", push_body(device, mutations), times, statuses
            )
            statuses.update(result["status"] for result in response.json()["results"])
            cursor = await _pull(client, device.client_id, cursor, times, statuses)
    return times, statuses, sent, cursor


async def steady_device(
    url: str,
    token: str,
    device: FieldDevice,
    cursor: str | None,
    seconds: float,
    every: float,
    start: asyncio.Event,
) -> tuple[list[float], Counter[str], list[dict[str, Any]], str]:
    """One phone in use, online, for ``seconds``: about every ``every``
    seconds (at random, as people work), it saves 1 to 5 changes, sends
    them and pulls what changed."""
    times: list[float] = []
    statuses: Counter[str] = Counter()
    sent: list[dict[str, Any]] = []
    chance = random.Random(str(device.client_id))
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(
        base_url=url, cookies={SESSION_COOKIE: token}, timeout=120, limits=limits
    ) as client:
        await start.wait()
        until = time.perf_counter() + seconds
        await asyncio.sleep(chance.uniform(0, every))
        while time.perf_counter() < until:
            mutations = device.work(chance.randint(1, BATCH))
            sent.extend(mutations)
            response = await _post(
                client, "/api/sync/push", push_body(device, mutations), times, statuses
            )
            statuses.update(result["status"] for result in response.json()["results"])
            cursor = await _pull(client, device.client_id, cursor, times, statuses)
            await asyncio.sleep(min(chance.expovariate(1 / every), until - time.perf_counter()))
    return times, statuses, sent, str(cursor)


async def steady_devices(
    url: str,
    devices: list[tuple[str, FieldDevice]],
    cursors: list[str | None],
    seconds: float,
    every: float,
) -> tuple[list[float], Counter[str], list[dict[str, Any]], float]:
    # Every client is made before the clock starts: making 200 of them
    # holds the loop for a while, and the first devices' syncs would wait.
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(steady_device(url, token, device, cursor, seconds, every, start))
        for (token, device), cursor in zip(devices, cursors, strict=True)
    ]
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    start.set()
    done = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    statuses: Counter[str] = Counter()
    for _, device_statuses, _, _ in done:
        statuses.update(device_statuses)
    times = [ms for device_times, _, _, _ in done for ms in device_times]
    sent = [mutation for _, _, device_sent, _ in done for mutation in device_sent]
    return times, statuses, sent, elapsed


async def _pull(
    client: httpx.AsyncClient,
    client_id: uuid.UUID,
    cursor: str | None,
    times: list[float],
    statuses: Counter[str],
) -> str:
    while True:
        response = await _post(
            client, "/api/sync/pull", pull_body(client_id, cursor), times, statuses
        )
        page = response.json()
        cursor = page["cursor"]
        if not page["has_more"]:
            return str(cursor)


async def _post(
    client: httpx.AsyncClient,
    path: str,
    body: dict[str, Any],
    times: list[float],
    statuses: Counter[str],
) -> httpx.Response:
    """A request as the app makes it: a busy server (503) is asked again
    after a pause, like the app's backoff. The time is the whole wait,
    retries included; each 503 is counted."""
    started = time.perf_counter()
    for attempt in range(RETRIES):
        response = await client.post(path, json=body)
        if response.status_code != 503:
            break
        statuses["503 busy, sent again"] += 1
        await asyncio.sleep(min(0.5 * 2**attempt, 4))
    times.append((time.perf_counter() - started) * 1000)
    response.raise_for_status()
    return response


async def all_devices(
    url: str,
    devices: list[tuple[str, FieldDevice]],
    rounds: int,
    cursors: list[str | None] | None = None,
) -> tuple[list[float], Counter[str], list[dict[str, Any]], float, list[str | None]]:
    start = asyncio.Event()
    tasks = [
        asyncio.create_task(run_device(url, token, device, rounds, start, cursor))
        for (token, device), cursor in zip(devices, cursors or [None] * len(devices), strict=True)
    ]
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    start.set()
    done = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    times = [ms for device_times, _, _, _ in done for ms in device_times]
    statuses: Counter[str] = Counter()
    sent: list[dict[str, Any]] = []
    for _, device_statuses, device_sent, _ in done:
        statuses.update(device_statuses)
        sent.extend(device_sent)
    return times, statuses, sent, elapsed, [cursor for _, _, _, cursor in done]


async def lost(database_url: str, devices: list[FieldDevice], sent: list[dict[str, Any]]) -> int:
    """How many of the mutations sent the database does not show applied."""
    names = Counter(mutation["name"] for mutation in sent)
    db = open_database(database_url)
    async with db.reading() as session:
        applied = await session.scalar(
            sa.select(sa.func.count())
            .select_from(AppliedMutation)
            .where(AppliedMutation.status == MutationStatus.APPLIED)
        )
        seqs = dict((await session.execute(sa.select(Device.client_id, Device.last_seq))).all())
        notes = await session.scalar(sa.select(sa.func.count()).select_from(ServiceOrderNote))
        entry_ids = {str(entry_id) for entry_id in await session.scalars(sa.select(TimeEntry.id))}
        answers = await session.scalar(sa.select(sa.func.count()).select_from(ChecklistAnswer))
    await db.dispose()

    missing = len(sent) - int(applied or 0)
    missing += sum(1 for device in devices if seqs.get(device.client_id) != device.seq)
    missing += names["service_order.note"] - int(notes or 0)
    sent_entries = {m["args"]["id"] for m in sent if m["name"] == "time_entry.put"}
    missing += len(sent_entries - entry_ids)
    sent_answers = {
        (m["args"]["run_id"], m["args"]["item_key"])
        for m in sent
        if m["name"] == "checklist.answer"
    }
    missing += len(sent_answers) - int(answers or 0)
    return missing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--steady", type=float, default=30, help="seconds of the devices in use (0: none)"
    )
    parser.add_argument(
        "--every", type=float, default=5, help="seconds between a device's syncs, on average"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes on PostgreSQL")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    options = parser.parse_args()

    rows = []
    loads = [load_average()]
    for kind in options.kinds:
        with fresh_database(kind) as url:
            company = asyncio.run(
                build_company(url, technicians=options.devices, orders_each=2, orders_per_affair=2)
            )
            devices = [
                (tech.token, FieldDevice(tech, company.items, seed=number))
                for number, tech in enumerate(company.technicians)
            ]
            workers = options.workers if kind == "postgresql" else 1
            with running_server(url, workers) as server:
                first = asyncio.run(all_devices(server.url, devices, options.rounds))
                # The same phones, synced now, all back online at once.
                again = asyncio.run(all_devices(server.url, devices, options.rounds, first[4]))
                steady: tuple[list[float], Counter[str], list[dict[str, Any]], float] = (
                    [],
                    Counter(),
                    [],
                    0.0,
                )
                if options.steady:
                    # The same phones in use through the day, all online.
                    steady = asyncio.run(
                        steady_devices(server.url, devices, again[4], options.steady, options.every)
                    )
            sent = first[2] + again[2] + steady[2]
            statuses = first[1] + again[1] + steady[1]
            missing = asyncio.run(lost(url, [device for _, device in devices], sent))
        loads.append(load_average())
        kind = f"{kind} ({workers} server processes)" if workers > 1 else kind

        phases = [
            (first[0], first[3], "from nothing (first pull)"),
            (again[0], again[3], "synced before, back online"),
        ]
        if steady[0]:
            phases.append(
                (steady[0], steady[3], f"in use, each syncing every {options.every:g} s or so")
            )
        for times, elapsed, what in phases:
            p95 = statistics.quantiles(times, n=20)[-1]
            rows.append(
                (
                    f"{options.devices} devices at once, {kind}, {what}: {len(times):,} "
                    f"requests in {elapsed:.1f} s, p50 {statistics.median(times):.0f} ms, p95",
                    f"{p95:.0f} ms",
                    f"< {P95_TARGET_MS} ms",
                    met(p95 < P95_TARGET_MS),
                )
            )
        rows.append(
            (
                f"{options.devices} devices at once, {kind}: mutations lost "
                f"(of {len(sent):,} sent; results {dict(statuses)})",
                str(missing),
                "0",
                met(missing == 0),
            )
        )

    print_report("machine:", loads, rows)


if __name__ == "__main__":
    main()
