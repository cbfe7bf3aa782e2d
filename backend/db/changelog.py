"""The change log, written by the database itself.

Every synced table gets triggers that, on each insert and update, take the
next change number, stamp it as the row's ``version`` and append the change
(with the row as written) to ``change_log``. Services, imports, the admin
and a hand-run SQL fix all go through them, so no writer can forget to
publish a change to devices.

Ordering on PostgreSQL: two transactions could take numbers 10 and 11 and
commit 11 first; a pull in between would hand out a cursor past 10 and skip
it forever. The trigger therefore takes a transaction-level advisory lock
before it takes a number: writers of synced rows commit one after the
other, so the numbers visible to any snapshot are always a prefix. SQLite
has a single writer, so the order holds there by construction.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

# Any constant works; it only has to be the same in every server process.
CHANGE_LOCK_KEY = 0x4146_4641
# PostgreSQL channel on which every write transaction says, at commit, that
# the change log may have moved (no payload: listeners read the log).
CHANGES_CHANNEL = "affaires_changes"

# Columns never copied into the change log: secrets, and the number itself.
NOT_LOGGED = ("password_hash", "version")

_not_logged = ", ".join(f"'{name}'" for name in NOT_LOGGED)
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION log_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({CHANGE_LOCK_KEY});
    NEW.version := nextval('change_log_id_seq');
    INSERT INTO change_log (id, entity_type, entity_id, data, changed_at)
    VALUES (NEW.version, TG_ARGV[0], NEW.id, to_jsonb(NEW) - ARRAY[{_not_logged}], now());
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def _sqlite_trigger(
    table: str, sync_type: str, columns: Iterable[tuple[str, str]], event: str
) -> str:
    snapshot = ", ".join(
        f"'{name}', json(NEW.\"{name}\")" if kind == "JSON" else f"'{name}', NEW.\"{name}\""
        for name, kind in columns
        if name not in NOT_LOGGED
    )
    # The trigger's own UPDATE changes ``version``, so the WHEN clause keeps
    # it from logging itself; any other update leaves version as it was.
    when = "WHEN NEW.version IS OLD.version" if event == "UPDATE" else ""
    return f"""
CREATE TRIGGER {table}_log_{event.lower()} AFTER {event} ON {table} {when}
BEGIN
    INSERT INTO change_log (entity_type, entity_id, data, changed_at)
    VALUES ('{sync_type}', NEW.id, json_object({snapshot}), CURRENT_TIMESTAMP);
    UPDATE {table} SET version = last_insert_rowid() WHERE id = NEW.id;
END
"""


def install_change_log(connection: sa.Connection, table: str, sync_type: str) -> None:
    """(Re)create the change-log triggers of ``table``.

    Run it again after adding columns to a synced table on SQLite: the
    snapshot lists the columns that exist when the trigger is made.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(PG_FUNCTION)
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_log ON {table}")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_log BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION log_change('{sync_type}')"
        )
        return

    info = connection.exec_driver_sql(f"PRAGMA table_info({table})")
    columns = [(row[1], str(row[2]).upper()) for row in info]
    for event in ("INSERT", "UPDATE"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_log_{event.lower()}")
        connection.exec_driver_sql(_sqlite_trigger(table, sync_type, columns, event))


def change_lock_statement(dialect: str) -> str | None:
    """The statement that takes the writers' lock by hand; None on SQLite,
    whose writers take turns anyway.

    For a writer that must decide on what other writers committed before
    writing a synced row itself (is this blob here yet?): holding the lock
    first, it sees every writer that went before and none can slip in.
    """
    if dialect == "postgresql":
        return f"SELECT pg_advisory_xact_lock({CHANGE_LOCK_KEY})"
    return None


# Tables that are not synced themselves but decide who sees what (a member
# added to an affair, a team's supervisor changed). A write to them logs a
# "scope" change: it moves the change number on, so that each device's next
# pull looks again at what its person may see.
SCOPE_CHANGE = "scope"

PG_SCOPE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION log_scope_change() RETURNS trigger AS $$
DECLARE
    changed uuid;
BEGIN
    PERFORM pg_advisory_xact_lock({CHANGE_LOCK_KEY});
    IF TG_OP = 'DELETE' THEN
        changed := OLD.{{column}};
    ELSE
        changed := NEW.{{column}};
    END IF;
    INSERT INTO change_log (id, entity_type, entity_id, data, changed_at)
    VALUES (nextval('change_log_id_seq'), '{SCOPE_CHANGE}', changed, NULL, now());
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def install_scope_log(connection: sa.Connection, table: str, column: str) -> None:
    """Log a scope change on every write to ``table`` (``column``: the row's
    key to name in the log, a UUID column)."""
    function = f"log_scope_change_{table}"
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            PG_SCOPE_FUNCTION.replace("log_scope_change()", f"{function}()").format(column=column)
        )
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_scope ON {table}")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_scope AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        return

    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        name = f"{table}_scope_{event.lower()}"
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
            f"INSERT INTO change_log (entity_type, entity_id, data, changed_at) "
            f"VALUES ('{SCOPE_CHANGE}', {row}.{column}, NULL, CURRENT_TIMESTAMP); END"
        )


def drop_scope_log(connection: sa.Connection, table: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_scope ON {table}")
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS log_scope_change_{table}()")
        return
    for event in ("insert", "update", "delete"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_scope_{event}")
