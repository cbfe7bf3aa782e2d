"""Settings from the environment and the command line.

Every setting has a default that works on a laptop: a SQLite file in the
current folder, the server on 127.0.0.1:8000, the PWA from this checkout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///affaires.db"
# How lines of time reach whoever approves them (``Settings.time_approval``).
TIME_APPROVAL_ROUTES = ("team", "affair")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def normalise_database_url(url: str) -> str:
    """Accept plain ``sqlite:///`` and ``postgresql://`` URLs and pick the async driver."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url.removeprefix("sqlite:///")
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    pwa_dir: Path = PROJECT_ROOT / "pwa"
    log_level: str = "info"
    log_json: bool = False
    # A device may stay offline a working week and more: the session slides
    # on every use and ends after this many idle days, or when revoked.
    session_days: int = 30
    secure_cookies: bool = False
    # Deleted records stay as tombstones this long, then are purged; a
    # device offline for longer starts again from a full snapshot.
    tombstone_days: int = 30
    # The largest photo or signature a device may upload (answered 413).
    # The app resizes photos to a few hundred kilobytes before storing them.
    blob_max_bytes: int = 10 * 1024 * 1024
    # A device not heard from for this many days is shown to supervisors
    # as gone silent (its person may have lost it, or its storage).
    device_silent_days: int = 3
    # How many days past today time may be entered for (an absence planned
    # ahead); 0: today at most.
    time_days_ahead: int = 31
    # Who approves a line of time besides the administrators and the
    # person's own approver: "team" (the team's supervisor, the managers)
    # or "affair" (the affair's manager; the team when it has none).
    time_approval: str = "team"
    # Accepted client versions (PROTOCOL.md, Versions and upgrades).
    min_schema: int = 1
    max_schema: int = 1
    # Server processes (PostgreSQL only; see backend/processes.py), and
    # whether this one runs the daily tasks (only the first of them does).
    workers: int = 1
    daily_tasks: bool = True
    # The server's secret (per-person calendar feed URLs are signed with it).
    # Unset, it is kept in ``secret_file``, made at first use; servers on
    # several machines must share one: set AFFAIRES_SECRET_KEY on each.
    secret_key: str = field(default="", repr=False)
    secret_file: Path = Path("affaires.secret")
    # How far ahead a maintenance contract's visits are made as service
    # orders, by the daily run and on demand.
    contract_visit_horizon_days: int = 90
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 <= self.time_days_ahead <= 3660:
            raise ValueError("AFFAIRES_TIME_DAYS_AHEAD: from 0 to 3660 days")
        if self.time_approval not in TIME_APPROVAL_ROUTES:
            raise ValueError("AFFAIRES_TIME_APPROVAL: " + " or ".join(TIME_APPROVAL_ROUTES))
        if not 1 <= self.contract_visit_horizon_days <= 3660:
            raise ValueError("AFFAIRES_CONTRACT_VISIT_HORIZON_DAYS: from 1 to 3660 days")
        if not 1 <= self.min_schema <= self.max_schema:
            raise ValueError("accepted schemas: 1 <= AFFAIRES_MIN_SCHEMA <= AFFAIRES_MAX_SCHEMA")

    @classmethod
    def from_env(cls) -> Settings:
        # Raising the oldest accepted schema alone raises the newest with it.
        min_schema = _env_int("AFFAIRES_MIN_SCHEMA", cls.min_schema)
        max_schema = _env_int("AFFAIRES_MAX_SCHEMA", max(cls.max_schema, min_schema))
        return cls(
            database_url=normalise_database_url(
                os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
            ),
            host=os.environ.get("AFFAIRES_HOST", "127.0.0.1"),
            port=_env_int("AFFAIRES_PORT", 8000),
            pwa_dir=Path(os.environ.get("AFFAIRES_PWA_DIR", PROJECT_ROOT / "pwa")),
            log_level=os.environ.get("AFFAIRES_LOG_LEVEL", "info"),
            log_json=os.environ.get("AFFAIRES_LOG_JSON", "") == "1",
            session_days=_env_int("AFFAIRES_SESSION_DAYS", 30),
            secure_cookies=os.environ.get("AFFAIRES_SECURE_COOKIES", "") == "1",
            tombstone_days=_env_int("AFFAIRES_TOMBSTONE_DAYS", 30),
            blob_max_bytes=_env_int("AFFAIRES_BLOB_MAX_BYTES", 10 * 1024 * 1024),
            device_silent_days=_env_int("AFFAIRES_DEVICE_SILENT_DAYS", 3),
            time_days_ahead=_env_int("AFFAIRES_TIME_DAYS_AHEAD", 31),
            time_approval=os.environ.get("AFFAIRES_TIME_APPROVAL", "") or "team",
            min_schema=min_schema,
            max_schema=max_schema,
            workers=_env_int("AFFAIRES_WORKERS", 1),
            # Off where another server of the same database runs them, or
            # where nothing may write behind a caller's back (tests).
            daily_tasks=os.environ.get("AFFAIRES_DAILY_TASKS", "1") != "0",
            secret_key=os.environ.get("AFFAIRES_SECRET_KEY", ""),
            secret_file=Path(os.environ.get("AFFAIRES_SECRET_FILE", "affaires.secret")),
            contract_visit_horizon_days=_env_int("AFFAIRES_CONTRACT_VISIT_HORIZON_DAYS", 90),
        )

    def with_database(self, url: str | None) -> Settings:
        return self if not url else replace(self, database_url=normalise_database_url(url))
