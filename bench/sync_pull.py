"""Pulls of a technician's scope: the first one, and one with nothing new.

    .venv/bin/python bench/sync_pull.py [--runs 5]

For SQLite and PostgreSQL, each on a fresh database holding a technician
with 200 service orders (one checklist run each, 25 answers a run: 5,000
answers) and 2,000 time entries, written set-based
(``field_work.build_company``). A real server (`affaires serve`) on
127.0.0.1 answers:

- **first pull**: a new device pulls its whole scope, page after page
  (the app's pages of 1,000 changes), until ``has_more`` is false; the
  median of ``--runs`` devices;
- **nothing new**: the same device pulls again with its cursor, 200 times;
  the median and the 95th percentile.

Times are taken by the client around each request on loopback (the
client's decoding of the answer left out), so they include HTTP and the
server's JSON: the server's own time is less.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

import httpx
import msgspec
from databases import KINDS, fresh_database, load_average, met, print_report
from demo_server import running_server
from field_work import build_company, pull_body

from backend.people.auth import SESSION_COOKIE

FIRST_TARGET_MS = 300
EMPTY_TARGET_MS = 5
EMPTY_PULLS = 200


def first_pull(client: httpx.Client, client_id: uuid.UUID) -> tuple[float, int, int, str]:
    """Milliseconds for a whole first pull, its pages, changes and cursor.

    The client's own decoding of each page is left out of the time."""
    cursor, pages, changes, elapsed = None, 0, 0, 0.0
    while True:
        started = time.perf_counter()
        response = client.post("/api/sync/pull", json=pull_body(client_id, cursor))
        elapsed += time.perf_counter() - started
        response.raise_for_status()
        page = msgspec.json.decode(response.content)
        pages += 1
        changes += len(page["changes"])
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    return elapsed * 1000, pages, changes, cursor


def empty_pulls(client: httpx.Client, client_id: uuid.UUID, cursor: str) -> list[float]:
    times = []
    for _ in range(EMPTY_PULLS):
        started = time.perf_counter()
        response = client.post("/api/sync/pull", json=pull_body(client_id, cursor))
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        if response.json()["changes"]:
            raise SystemExit("a pull with nothing new brought changes")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    rows = []
    loads = [load_average()]
    for kind in KINDS:
        with fresh_database(kind) as url:
            company = asyncio.run(
                build_company(url, orders_each=200, answers_each_order=25, time_entries_each=2000)
            )
            tech = company.technicians[0]
            with (
                running_server(url) as server,
                httpx.Client(
                    base_url=server.url, cookies={SESSION_COOKIE: tech.token}, timeout=60
                ) as client,
            ):
                firsts = [first_pull(client, uuid.uuid4()) for _ in range(options.runs)]
                client_id = uuid.uuid4()
                _, _, _, cursor = first_pull(client, client_id)
                empties = empty_pulls(client, client_id, cursor)
        loads.append(load_average())

        first_ms = statistics.median(ms for ms, _, _, _ in firsts)
        _, pages, changes, _ = firsts[0]
        empty_ms = statistics.median(empties)
        empty_p95 = statistics.quantiles(empties, n=20)[-1]
        rows.append(
            (
                f"first pull, {kind}, {changes:,} changes in {pages} pages, "
                f"median of {options.runs}",
                f"{first_ms:.0f} ms",
                f"< {FIRST_TARGET_MS} ms",
                met(first_ms < FIRST_TARGET_MS),
            )
        )
        rows.append(
            (
                f"pull with nothing new, {kind}, p50 (p95) of {EMPTY_PULLS}",
                f"{empty_ms:.1f} ms ({empty_p95:.1f} ms)",
                f"< {EMPTY_TARGET_MS} ms p50",
                met(empty_ms < EMPTY_TARGET_MS),
            )
        )

    print_report("machine:", loads, rows)


if __name__ == "__main__":
    main()
