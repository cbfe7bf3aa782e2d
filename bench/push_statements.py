"""Statements per mutation of a push, and where its time goes.

    .venv/bin/python bench/push_statements.py [--mutations 1000] [--kind sqlite]
        [--profile]

Runs the technician's mix (``field_work.FieldDevice``) through
``run_push`` in-process, in batches of 100, on a fresh database, and
counts the statements sent to the database: per mutator (from the
savepoint to its release, the mutator's own reads and writes), and per
batch (the device's row, reused ids, the outcomes). With ``--profile``,
the run is under cProfile and the functions taking most time are listed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from collections import Counter
from typing import Any

import msgspec
import sqlalchemy as sa
from databases import fresh_database, load_average
from field_work import FieldDevice, build_company, push_body

import sync.engine
from backend.access.actors import Actor
from backend.app import build_mutators
from backend.db.engine import open_database
from backend.db.models import Role
from backend.lib.logging import configure_logging
from backend.offline.services import run_push
from backend.settings import Settings
from sync.messages import PushRequest

BATCH = 100


class Counting:
    """Statements sent, by the mutator being applied (or the batch's own)."""

    def __init__(self) -> None:
        self.current = "batch"
        self.statements: Counter[str] = Counter()
        self.mutations: Counter[str] = Counter()

    def executed(self, *_: Any) -> None:
        self.statements[self.current] += 1

    def wrap(self, apply: Any) -> Any:
        async def counted(store: Any, registry: Any, mutation: Any) -> Any:
            self.current = mutation.name
            self.mutations[mutation.name] += 1
            try:
                return await apply(store, registry, mutation)
            finally:
                self.current = "batch"

        return counted


async def run(database_url: str, count: int, counting: Counting) -> float:
    company = await build_company(database_url)
    tech = company.technicians[0]
    device = FieldDevice(tech, company.items)
    requests = [
        msgspec.json.decode(
            msgspec.json.encode(push_body(device, device.work(min(BATCH, count - done)))),
            type=PushRequest,
        )
        for done in range(0, count, BATCH)
    ]
    db = open_database(database_url)
    for engine in {db.writer, db.reader}:
        sa.event.listen(engine.sync_engine, "before_cursor_execute", counting.executed)
    actor = Actor(id=tech.user_id, role=Role.TECHNICIAN, name="Technician 0")
    registry, settings = build_mutators(), Settings(database_url=database_url)
    statuses: Counter[str] = Counter()
    started = time.perf_counter()
    for request in requests:
        outcome, _ = await run_push(db, registry, actor, request, settings=settings, language="en")
        statuses.update(result.status for result in outcome.results)
    elapsed = time.perf_counter() - started
    await db.dispose()
    if statuses != Counter({"applied": count}):
        raise SystemExit(f"not every mutation applied: {dict(statuses)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutations", type=int, default=1000)
    parser.add_argument("--kind", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    configure_logging("warning")
    counting = Counting()
    sync.engine._apply = counting.wrap(sync.engine._apply)  # type: ignore[attr-defined]

    load = load_average()
    with fresh_database(options.kind) as url:
        profiler = cProfile.Profile() if options.profile else None
        if profiler is not None:
            profiler.enable()
        elapsed = asyncio.run(run(url, options.mutations, counting))
        if profiler is not None:
            profiler.disable()

    count = options.mutations
    print(f"{count:,} mutations, {options.kind}, in-process: {count / elapsed:,.0f} mutations/s")
    print(f"load average before: {load}, after: {load_average()}")
    print()
    print("| mutator | mutations | statements | per mutation |")
    print("|---|---|---|---|")
    for name, done in sorted(counting.mutations.items()):
        sent = counting.statements[name]
        print(f"| {name} | {done:,} | {sent:,} | {sent / done:.1f} |")
    total = sum(counting.statements.values())
    print(f"| (the batches' own) | | {counting.statements['batch']:,} | |")
    print(f"| all | {count:,} | {total:,} | {total / count:.1f} |")
    if profiler is not None:
        print()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
