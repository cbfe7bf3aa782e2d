"""Fresh, migrated databases for the sync benches, removed afterwards.

SQLite: a file in a temporary folder. PostgreSQL: a database of its own
(``affaires_bench_<random>``) on the server of ``BENCH_POSTGRES_URL``
(default postgresql://postgres@127.0.0.1:5432/test, the one the tests
use), dropped on leaving.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import sqlalchemy as sa

from backend.db.migrate import upgrade
from backend.settings import normalise_database_url

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
KINDS = ("sqlite", "postgresql")


def _admin_dsn() -> str:
    url = sa.engine.make_url(normalise_database_url(POSTGRES_URL))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(statement: str) -> str:
    connection = await asyncpg.connect(_admin_dsn())
    try:
        return str(await connection.fetchval(statement))
    finally:
        await connection.close()


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The URL of an empty, migrated database of ``kind``."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.db"
            upgrade(url)
            yield url
        return

    name = f"affaires_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.engine.make_url(normalise_database_url(POSTGRES_URL)).set(database=name)
        database_url = url.render_as_string(hide_password=False)
        upgrade(database_url)
        yield database_url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def describe_machine() -> list[tuple[str, str]]:
    """What the figures were measured on, for the README."""
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    try:
        postgres = asyncio.run(_admin("SHOW server_version"))
    except (OSError, asyncpg.PostgresError):
        postgres = "not reachable"
    return [
        ("cores", str(os.cpu_count())),
        ("memory", f"{memory_kb / 1024 / 1024:.0f} GiB"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres),
        ("load average (1, 5, 15 min)", load_average()),
    ]


def load_average() -> str:
    """``uptime``'s three figures: other work on the machine shows here."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout
    return uptime.rsplit("load average:", 1)[1].strip()


def met(ok: bool) -> str:
    """The table's last column."""
    return "yes" if ok else "**no**"


def print_report(heading: str, loads: list[str], rows: list[tuple[str, ...]]) -> None:
    """The machine, the load while measuring, and the table of figures."""
    print(heading)
    for name, value in describe_machine():
        print(f"  {name}: {value}")
    print("  load average before and after each part: " + " | ".join(loads))
    print()
    print("| figure | measured | target | met |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
