"""Statements and time of a first pull, page by page, in-process.

    .venv/bin/python bench/pull_statements.py [--kind sqlite] [--runs 5]
        [--profile] [--explain]

Builds the technician's scope of ``sync_pull.py`` (200 service orders,
5,000 answers, 2,000 time entries) on a fresh database and pulls it
whole through ``run_pull``, as a new device would, ``--runs`` times:
the time of each page (without HTTP, JSON or gzip), the statements it
sends, then the time to encode each page as JSON and gzip it. With
``--profile``, the pulls run under cProfile and the functions taking
most time are listed; with ``--explain``, each statement of a first page
is shown with its plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import gzip
import pstats
import statistics
import time
import uuid
from typing import Any

import msgspec
import sqlalchemy as sa
from databases import fresh_database, load_average
from field_work import build_company

from backend.access.actors import Actor
from backend.db.engine import Database, open_database
from backend.db.models import Role
from backend.lib.logging import configure_logging
from backend.offline.services import run_pull
from backend.settings import Settings
from sync.messages import PullRequest, PullResponse

GZIP_LEVEL = 6


class Counting:
    """Statements sent while ``on``, with their text when asked."""

    def __init__(self) -> None:
        self.count = 0
        self.statements: list[tuple[str, Any]] = []
        self.keep = False

    def executed(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.count += 1
        if self.keep:
            self.statements.append((statement, params))


async def pull_whole(
    db: Database, actor: Actor, settings: Settings, counting: Counting
) -> list[tuple[float, int, PullResponse]]:
    """Each page of a new device's first pull: ms, statements, answer."""
    client_id, cursor, pages = uuid.uuid4(), None, []
    while True:
        request = PullRequest(protocol=1, schema=1, client_id=client_id, cursor=cursor)
        sent = counting.count
        started = time.perf_counter()
        page = await run_pull(db, actor, request, settings=settings)
        pages.append(((time.perf_counter() - started) * 1000, counting.count - sent, page))
        cursor = page.cursor
        if not page.has_more:
            return pages


async def explain(db: Database, statements: list[tuple[str, Any]]) -> None:
    seen = set()
    async with db.reader.connect() as connection:
        for statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
                continue
            seen.add(statement)
            prefix = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN ANALYZE "
            print("----")
            print(statement.strip()[:700])
            result = await connection.exec_driver_sql(prefix + statement, params or ())
            for row in result:
                print("   ", row[-1])


async def run(
    url: str, runs: int, counting: Counting, profiler: cProfile.Profile | None, *, explain: bool
) -> None:
    company = await build_company(
        url, orders_each=200, answers_each_order=25, time_entries_each=2000
    )
    tech = company.technicians[0]
    actor = Actor(id=tech.user_id, role=Role.TECHNICIAN, name="Technician 0")
    settings = Settings(database_url=url)
    db = open_database(url)
    for engine in {db.writer, db.reader}:
        sa.event.listen(engine.sync_engine, "before_cursor_execute", counting.executed)

    # One pull to warm the statement caches, as a running server has them.
    await pull_whole(db, actor, settings, counting)
    # As the server does once started (``affaires serve``).
    gc.collect()
    gc.freeze()
    totals, encodes, pages = [], [], []
    if profiler is not None:
        profiler.enable()
    for _ in range(runs):
        pages = await pull_whole(db, actor, settings, counting)
        totals.append(sum(ms for ms, _, _ in pages))
        started = time.perf_counter()
        for _, _, page in pages:
            gzip.compress(msgspec.json.encode(page), GZIP_LEVEL)
        encodes.append((time.perf_counter() - started) * 1000)
    if profiler is not None:
        profiler.disable()

    changes = sum(len(page.changes) for _, _, page in pages)
    print(f"{changes:,} changes in {len(pages)} pages")
    print("| page | changes | statements | ms |")
    print("|---|---|---|---|")
    for number, (ms, sent, page) in enumerate(pages, 1):
        print(f"| {number} | {len(page.changes)} | {sent} | {ms:.1f} |")
    print(f"pull, median of {runs}: {statistics.median(totals):.0f} ms")
    print(f"JSON and gzip {GZIP_LEVEL} of its pages, median: {statistics.median(encodes):.0f} ms")

    if explain:
        # The statements of a first page, kept for their plans.
        counting.keep = True
        request = PullRequest(protocol=1, schema=1, client_id=uuid.uuid4())
        await run_pull(db, actor, request, settings=settings)
        counting.keep = False
    await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--explain", action="store_true")
    options = parser.parse_args()
    configure_logging("warning")
    counting = Counting()

    load = load_average()
    with fresh_database(options.kind) as url:
        profiler = cProfile.Profile() if options.profile else None
        asyncio.run(run(url, options.runs, counting, profiler, explain=options.explain))
        if options.explain:
            asyncio.run(_explain_first_page(url, counting))
    print(f"load average before: {load}, after: {load_average()}")
    if profiler is not None:
        print()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(35)
        stats.sort_stats("cumtime").print_stats(40)


async def _explain_first_page(url: str, counting: Counting) -> None:
    db = open_database(url)
    await explain(db, counting.statements)
    await db.dispose()


if __name__ == "__main__":
    main()
