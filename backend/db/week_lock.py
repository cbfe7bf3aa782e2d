"""An approved week stays locked, whoever writes: kept by the database.

The services refuse a change to an approved week with a ``locked``
conflict that says who approved it (case S11). These triggers are the
same rule for writers past the services (the back office writes straight
to the tables; a hand-run SQL fix): a time entry of an approved week is
not created, changed or deleted. The error names ``week_locked``.

Only what the person entered counts as a change: the approver's decision
on a line and the server's bookkeeping (version, who edited it last) may
still be written. A tombstone (an entry deleted before the approval) is
no longer part of the week, so the purge of old tombstones goes on.
"""

from __future__ import annotations

import sqlalchemy as sa

LOCKED_MESSAGE = "week_locked"
# The fields of an entry that make up the week's time.
LOCKED_FIELDS = (
    "user_id",
    "affair_id",
    "service_order_id",
    "action_id",
    "work_date",
    "minutes",
    "starts_at",
    "ends_at",
    "time_zone",
    "note",
    "activity",
    "deleted_at",
)


def _sqlite_iso_week(day: str) -> str:
    """SQLite's ISO week of a ``YYYY-MM-DD`` date ("2026-W09"), as
    ``backend.lib.time.week_of`` names it: the year and the week of the
    Thursday in the same Monday-to-Sunday week."""
    weekday = f"((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7)"
    thursday = f"date({day}, (3 - {weekday}) || ' days')"
    number = f"((CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1)"
    return f"(strftime('%Y', {thursday}) || '-W' || printf('%02d', {number}))"


def _sqlite_approved(row: str) -> str:
    return (
        f"{row}.deleted_at IS NULL AND EXISTS (SELECT 1 FROM timesheet_weeks "
        f"WHERE user_id = {row}.user_id AND status = 'approved' "
        f"AND week = {_sqlite_iso_week(f'{row}.work_date')})"
    )


def _sqlite_triggers() -> dict[str, str]:
    changed = " OR ".join(f'OLD."{name}" IS NOT NEW."{name}"' for name in LOCKED_FIELDS)
    refuse = f"BEGIN SELECT RAISE(ABORT, '{LOCKED_MESSAGE}'); END"
    return {
        "time_entries_week_lock_insert": (
            f"BEFORE INSERT ON time_entries WHEN {_sqlite_approved('NEW')} {refuse}"
        ),
        "time_entries_week_lock_update": (
            f"BEFORE UPDATE ON time_entries WHEN ({changed}) "
            f"AND (({_sqlite_approved('OLD')}) OR ({_sqlite_approved('NEW')})) {refuse}"
        ),
        "time_entries_week_lock_delete": (
            f"BEFORE DELETE ON time_entries WHEN {_sqlite_approved('OLD')} {refuse}"
        ),
    }


def _pg_approved(row: str) -> str:
    return (
        f"{row}.deleted_at IS NULL AND EXISTS (SELECT 1 FROM timesheet_weeks "
        f"WHERE user_id = {row}.user_id AND status = 'approved' "
        f"AND week = to_char({row}.work_date, 'IYYY-\"W\"IW'))"
    )


def _pg_fields(row: str) -> str:
    return "(" + ", ".join(f"{row}.{name}" for name in LOCKED_FIELDS) + ")"


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION keep_week_lock() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {_pg_fields("OLD")} IS NOT DISTINCT FROM {_pg_fields("NEW")} THEN
        RETURN NEW;
    END IF;
    IF (TG_OP <> 'INSERT' AND {_pg_approved("OLD")})
        OR (TG_OP <> 'DELETE' AND {_pg_approved("NEW")}) THEN
        RAISE EXCEPTION '{LOCKED_MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def install_week_lock(connection: sa.Connection) -> None:
    """(Re)create the lock's triggers on ``time_entries``."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(PG_FUNCTION)
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS time_entries_week_lock ON time_entries")
        connection.exec_driver_sql(
            "CREATE TRIGGER time_entries_week_lock "
            "BEFORE INSERT OR UPDATE OR DELETE ON time_entries "
            "FOR EACH ROW EXECUTE FUNCTION keep_week_lock()"
        )
        return
    for name, body in _sqlite_triggers().items():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")


def drop_week_lock(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS time_entries_week_lock ON time_entries")
        connection.exec_driver_sql("DROP FUNCTION IF EXISTS keep_week_lock()")
        return
    for name in _sqlite_triggers():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def is_week_locked(exc: BaseException) -> bool:
    """Was ``exc`` the lock refusing a write?"""
    return LOCKED_MESSAGE in str(exc)
