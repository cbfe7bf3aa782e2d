"""Statements per mutation of a push, and where its time goes.

    .venv/bin/python bench/push_statements.py [--mutations 1000] [--kind sqlite]
        [--one-by-one] [--profile]

Runs the technician's mix (``field_work.FieldDevice``) through
``run_push`` in-process, in batches of 100, on a fresh database (the loop
of ``sync_push.push_in_process``), and counts the statements sent to the
database: per mutator (while it is applied: its own reads and writes, and
the batch's reads and held writes when they happen then), and per batch
(the device's row, reused ids, the writes held to the end, the outcomes).
``--one-by-one`` applies each mutation by its handler alone, as before the
batch. With ``--profile``, the run is under cProfile and the functions
taking most time are listed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
from collections import Counter
from typing import Any

import sqlalchemy as sa
from databases import fresh_database, load_average
from sync_push import push_in_process

import sync.engine
from backend.db.engine import Database
from backend.lib.logging import configure_logging


class Counting:
    """Statements sent, by the mutator being applied (or the batch's own)."""

    def __init__(self) -> None:
        self.current = "batch"
        self.statements: Counter[str] = Counter()
        self.mutations: Counter[str] = Counter()

    def executed(self, *_: Any) -> None:
        self.statements[self.current] += 1

    def listen(self, db: Database) -> None:
        for engine in {db.writer, db.reader}:
            sa.event.listen(engine.sync_engine, "before_cursor_execute", self.executed)

    def wrap(self, apply: Any) -> Any:
        async def counted(store: Any, decoded: Any) -> Any:
            self.current = decoded.mutation.name
            self.mutations[decoded.mutation.name] += 1
            try:
                return await apply(store, decoded)
            finally:
                self.current = "batch"

        return counted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutations", type=int, default=1000)
    parser.add_argument("--kind", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--one-by-one", action="store_true", help="each mutation by its handler, no batch"
    )
    options = parser.parse_args()
    configure_logging("warning")
    counting = Counting()
    sync.engine._apply = counting.wrap(sync.engine._apply)  # type: ignore[attr-defined]

    load = load_average()
    with fresh_database(options.kind) as url:
        profiler = cProfile.Profile() if options.profile else None
        if profiler is not None:
            profiler.enable()
        elapsed = asyncio.run(
            push_in_process(
                url, options.mutations, in_batch=not options.one_by_one, watch=counting.listen
            )
        )
        if profiler is not None:
            profiler.disable()

    count = options.mutations
    way = "one by one" if options.one_by_one else "as batches"
    speed = count / elapsed
    print(f"{count:,} mutations, {options.kind}, in-process, {way}: {speed:,.0f} mutations/s")
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
