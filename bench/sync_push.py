"""Push throughput and an offline week, beside a PouchDB server.

    .venv/bin/python bench/sync_push.py [--mutations 5000] [--no-pouch]
        [--at-once 4] [--workers 1]

For SQLite and PostgreSQL, each on a fresh database holding two
technicians with 200 service orders each (``field_work.build_company``):

- **push throughput**: one device sends ``--mutations`` mutations of a
  technician's usual mix (``field_work.FieldDevice``) in batches of 100,
  one after the other, to `POST /api/sync/push` of a real server
  (`affaires serve`) on 127.0.0.1; mutations merged per second of wall
  time. Then ``--at-once`` devices (4), each of its own technician, push
  as many mutations between them, all at the same time: what the server
  merges when it is not waiting for one client. The same work is also
  timed in-process (``run_push`` straight on
  the database, no HTTP), on a second fresh database;
- **offline week**: another technician's device sends a week of work,
  2,000 mutations, in the app's batches of 100: the time from
  the first push to the last answer.

Then a PouchDB server (express-pouchdb over the in-memory adapter,
`bench/pouch/server.js`, 127.0.0.1 only) takes the same changes as the
documents a CouchDB app would store, by `_bulk_docs` in batches of 100
with `new_edits: false`, as replication writes them. Its modules are
installed once into bench/.work/pouch with the machine's npm.

Every mutation must come back `applied`; the script stops otherwise.
``--workers N``: the server runs N processes on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec
from databases import KINDS, fresh_database, load_average, met, print_report
from demo_server import free_port, running_server
from field_work import FieldDevice, Technician, build_company, push_body

from backend.access.actors import Actor
from backend.app import build_mutators
from backend.db.engine import Database, open_database
from backend.db.models import Role
from backend.lib.logging import configure_logging
from backend.offline.services import run_push
from backend.people.auth import SESSION_COOKIE
from backend.settings import Settings
from sync.messages import PushRequest

BENCH = Path(__file__).resolve().parent
POUCH_MODULES = BENCH / ".work" / "pouch"
# Pinned, so that every run compares with the same server.
POUCH_PACKAGES = [
    "express@4.21.2",
    "express-pouchdb@4.2.0",
    "pouchdb-core@9.0.0",
    "pouchdb-adapter-memory@9.0.0",
    "pouchdb-adapter-http@9.0.0",
    "pouchdb-mapreduce@9.0.0",
    "pouchdb-replication@9.0.0",
]
BATCH = 100
WEEK = 2000
TARGETS = {"sqlite": 10_000, "postgresql": 5_000}
WEEK_TARGET_S = 1.0


def batches(device: FieldDevice, count: int) -> list[list[dict[str, Any]]]:
    return [device.work(min(BATCH, count - done)) for done in range(0, count, BATCH)]


def push_all(
    url: str, tech: Technician, device: FieldDevice, work: list[list[dict[str, Any]]]
) -> float:
    """Seconds to push ``work`` batch after batch; every result applied."""
    bodies = [msgspec.json.encode(push_body(device, mutations)) for mutations in work]
    statuses: Counter[str] = Counter()
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, cookies={SESSION_COOKIE: tech.token}, timeout=60) as client:
        started = time.perf_counter()
        for body in bodies:
            response = client.post("/api/sync/push", content=body, headers=headers)
            response.raise_for_status()
            statuses.update(result["status"] for result in response.json()["results"])
        elapsed = time.perf_counter() - started
    _all_applied(statuses, sum(len(mutations) for mutations in work))
    return elapsed


def push_together(url: str, techs: list[Technician], items: Any, count: int) -> tuple[float, int]:
    """Seconds for ``len(techs)`` devices, one per technician, to push
    about ``count`` mutations between them, each batch after batch, all
    at once; and how many they pushed."""
    devices = [FieldDevice(tech, items, seed=10 + number) for number, tech in enumerate(techs)]
    shares = [batches(device, count // len(techs)) for device in devices]
    started = time.perf_counter()
    with ThreadPoolExecutor(len(techs)) as pool:
        list(pool.map(push_all, [url] * len(techs), techs, devices, shares))
    return time.perf_counter() - started, sum(len(b) for share in shares for b in share)


def _all_applied(statuses: Counter[str], expected: int) -> None:
    if statuses != Counter({"applied": expected}):
        raise SystemExit(f"not every mutation applied: {dict(statuses)}")


async def push_in_process(
    database_url: str,
    count: int,
    *,
    in_batch: bool = True,
    watch: Callable[[Database], None] | None = None,
) -> float:
    """Seconds for the engine alone to merge ``count`` mutations, as a
    batch or one by one; ``watch`` is shown the database before the work."""
    company = await build_company(database_url)
    tech = company.technicians[0]
    device = FieldDevice(tech, company.items)
    requests = [
        msgspec.json.decode(msgspec.json.encode(push_body(device, work)), type=PushRequest)
        for work in batches(device, count)
    ]
    db = open_database(database_url)
    if watch is not None:
        watch(db)
    actor = Actor(id=tech.user_id, role=Role.TECHNICIAN, name="Technician 0")
    registry, settings = build_mutators(), Settings(database_url=database_url)
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    for request in requests:
        outcome, _ = await run_push(
            db, registry, actor, request, settings=settings, language="en", in_batch=in_batch
        )
        statuses.update(result.status for result in outcome.results)
    elapsed = time.perf_counter() - started
    await db.dispose()
    _all_applied(statuses, count)
    return elapsed


def ensure_pouch_modules() -> None:
    """Install the PouchDB server's modules once (bench/.work is not committed)."""
    if (POUCH_MODULES / "node_modules" / "express-pouchdb").is_dir():
        return
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed for the PouchDB comparison (or pass --no-pouch)")
    POUCH_MODULES.mkdir(parents=True, exist_ok=True)
    print("installing the PouchDB server into bench/.work/pouch (once)...", flush=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *POUCH_PACKAGES],
        cwd=POUCH_MODULES,
        check=True,
    )


@contextmanager
def pouch_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        ["node", str(BENCH / "pouch" / "server.js"), str(port)],
        env={**os.environ, "NODE_PATH": str(POUCH_MODULES / "node_modules")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the PouchDB server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(10)


def pouch_push(url: str, documents: list[list[dict[str, Any]]]) -> float:
    """Seconds for PouchDB to take the documents by ``_bulk_docs``."""
    bodies = [msgspec.json.encode({"docs": docs, "new_edits": False}) for docs in documents]
    headers = {"content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=60) as client:
        client.put("/field").raise_for_status()
        started = time.perf_counter()
        for body in bodies:
            response = client.post("/field/_bulk_docs", content=body, headers=headers)
            response.raise_for_status()
            if response.json():
                raise SystemExit(f"PouchDB refused documents: {response.json()[:3]}")
        elapsed = time.perf_counter() - started
        stored = client.get("/field").json()["doc_count"]
    expected = len({doc["_id"] for batch in documents for doc in batch})
    if stored != expected:
        raise SystemExit(f"PouchDB holds {stored} documents, {expected} expected")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutations", type=int, default=5000)
    parser.add_argument("--no-pouch", action="store_true")
    parser.add_argument(
        "--at-once", type=int, default=4, help="devices pushing together, for the second figure"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes on PostgreSQL")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    options = parser.parse_args()
    count = options.mutations
    configure_logging("warning")
    if not options.no_pouch:
        ensure_pouch_modules()

    rows: list[tuple[str, str, str, str]] = []
    loads = [load_average()]
    pouch_documents: list[list[dict[str, Any]]] = []
    ours: dict[str, float] = {}
    for kind in options.kinds:
        with fresh_database(kind) as url:
            company = asyncio.run(build_company(url, technicians=2 + options.at_once))
            tech, week_tech, *together = company.technicians
            device = FieldDevice(tech, company.items)
            work = batches(device, count)
            week_device = FieldDevice(week_tech, company.items, seed=2)
            week = batches(week_device, WEEK)
            workers = options.workers if kind == "postgresql" else 1
            with running_server(url, workers) as server:
                elapsed = push_all(server.url, tech, device, work)
                week_elapsed = push_all(server.url, week_tech, week_device, week)
                together_elapsed, together_count = push_together(
                    server.url, together, company.items, count
                )
        if not pouch_documents:
            pouch_documents = [[device.as_document(m) for m in batch] for batch in work]
        with fresh_database(kind) as url:
            in_process = asyncio.run(push_in_process(url, count))
        loads.append(load_average())

        rate = count / elapsed
        ours[kind] = rate
        target = TARGETS[kind]
        rows.append(
            (
                f"push, {kind}, HTTP, batches of {BATCH}",
                f"{rate:,.0f} mutations/s",
                f">= {target:,}",
                met(rate >= target),
            )
        )
        shared = together_count / together_elapsed
        served_by = f", {workers} server processes" if workers > 1 else ""
        rows.append(
            (
                f"push, {kind}, HTTP, {options.at_once} devices at once{served_by}",
                f"{shared:,.0f} mutations/s",
                f">= {target:,}",
                met(shared >= target),
            )
        )
        rows.append(
            (f"push, {kind}, engine in-process", f"{count / in_process:,.0f} mutations/s", "", "")
        )
        rows.append(
            (
                f"offline week ({WEEK:,} mutations), {kind}",
                f"{week_elapsed:.2f} s",
                f"< {WEEK_TARGET_S:.0f} s",
                met(week_elapsed < WEEK_TARGET_S),
            )
        )

    if not options.no_pouch:
        with pouch_server() as url:
            pouch_rate = count / pouch_push(url, pouch_documents)
        loads.append(load_average())
        rows.append(
            (
                f"PouchDB server (memory), _bulk_docs of {BATCH}",
                f"{pouch_rate:,.0f} docs/s",
                "",
                "",
            )
        )
        for kind, rate in ours.items():
            rows.append(
                (
                    f"ours / PouchDB, {kind}",
                    f"{rate / pouch_rate:.2f}",
                    "> 1 (SQLite)" if kind == "sqlite" else "",
                    met(rate > pouch_rate) if kind == "sqlite" else "",
                )
            )

    print_report(f"{count:,} mutations per figure; machine:", loads, rows)


if __name__ == "__main__":
    main()
