"""The ``affaires`` command: serve, demo, migrate, import, user."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import getpass
import re
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from backend.db.engine import Database, open_database
from backend.db.migrate import upgrade
from backend.db.models import Role
from backend.lib.errors import AppError
from backend.lib.i18n import translate
from backend.lib.logging import configure_logging
from backend.people.schemas import EMAIL_PATTERN
from backend.settings import Settings

T = TypeVar("T")

database_option = click.option(
    "--database",
    "database_url",
    default=None,
    metavar="URL",
    help="Database URL (default: $DATABASE_URL, else affaires.db in this folder).",
)


def _from_env() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(f"bad setting in the environment: {exc}") from exc


def _settings(database_url: str | None) -> Settings:
    settings = _from_env().with_database(database_url)
    try:
        url = sa.engine.make_url(settings.database_url)
    except sa.exc.ArgumentError as exc:
        raise click.ClickException(
            "the database URL is not one: use sqlite:///path.db or postgresql://user@host/db"
        ) from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise click.ClickException("only SQLite and PostgreSQL databases are supported")
    return settings


@contextmanager
def _database_errors(settings: Settings) -> Iterator[None]:
    """Faults of reaching the database, said in one line."""
    where = sa.engine.make_url(settings.database_url).render_as_string(hide_password=True)
    try:
        yield
    except AppError as exc:
        said = translate(exc.code, "en", exc.details)
        if said == exc.code:
            said = exc.message
        raise click.ClickException(said) from exc
    except (sa.exc.DBAPIError, sa.exc.InterfaceError, OSError, ModuleNotFoundError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot use the database {where}: {reason}") from exc


def _migrate(settings: Settings) -> None:
    with _database_errors(settings):
        upgrade(settings.database_url)


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = open_database(settings.database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    with _database_errors(settings):
        return asyncio.run(run())


@click.group()
def main() -> None:
    """Affaires: affairs, field service and timesheets, offline-first."""
    settings = _from_env()
    configure_logging(settings.log_level, json=settings.log_json)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (default 8000).")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Server processes, one core each (PostgreSQL only; default 1).",
)
@database_option
@click.option("--demo", is_flag=True, help="Fill an empty database with the demo company.")
def serve(
    host: str | None, port: int | None, workers: int | None, database_url: str | None, demo: bool
) -> None:
    """Migrate the database, then serve the API and the app."""
    settings = _settings(database_url)
    settings = replace(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
    )
    if settings.workers > 1 and sa.engine.make_url(settings.database_url).get_backend_name() != (
        "postgresql"
    ):
        raise click.ClickException(
            "several server processes need PostgreSQL: SQLite takes one writer at a time "
            "(serve with --workers 1)"
        )
    _check_free(settings.host, settings.port)
    _migrate(settings)
    if demo:
        _load_demo(settings)
    click.echo(f"Affaires is at http://{settings.host}:{settings.port}/  (Ctrl+C to stop)")
    if settings.workers == 1:
        _serve_one(settings)
        return

    from backend.processes import ProcessesFailed, listening_socket, serve_in_processes

    sock = listening_socket(settings.host, settings.port)
    click.echo(f"{settings.workers} server processes.")
    try:
        serve_in_processes(
            settings.workers,
            lambda index: _serve_one(
                replace(settings, daily_tasks=settings.daily_tasks and index == 0), sock
            ),
        )
    except ProcessesFailed as exc:
        raise click.ClickException(str(exc)) from exc


def _load_demo(settings: Settings) -> None:
    from backend.demo import ACCOUNTS, DEMO_PASSWORD, load_demo

    if _with_database(settings, load_demo):
        click.echo(f"Demo company loaded. Demo accounts (password '{DEMO_PASSWORD}'):")
    else:
        click.echo(
            "The database already holds data: the demo company was not added again. "
            f"If it is the demo company, its accounts (password '{DEMO_PASSWORD}'):"
        )
    for account in ACCOUNTS:
        click.echo(f"  {account.email:<22} {account.role.value}")


def _serve_one(settings: Settings, sock: socket.socket | None = None) -> None:
    """One server process, until stopped; on ``sock`` when given (shared
    with other processes), else on the settings' address."""
    import uvicorn

    from backend.app import create_app

    app = create_app(settings)
    _freeze_start_up_objects()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=STOP_WAIT_SECONDS,
    )
    server = _stopping_server(config, stop_streams=app.state.pokes.stop_soon)
    server.run(sockets=[sock] if sock is not None else None)


def _freeze_start_up_objects() -> None:
    """Keep what start-up built (modules, the app, its routes and tables)
    out of the garbage collector's full passes.

    Those objects live as long as the process, yet a full pass walks them
    all: with them, one took 50 to 100 ms and came about once per first
    pull of a device (a pull's pages make many short-lived objects), so
    it was a quarter of that pull's time; without them, about 10 ms
    (bench/README.md, pulls).
    """
    gc.collect()
    gc.freeze()


# On SIGTERM or Ctrl+C, requests under way get this long to finish.
STOP_WAIT_SECONDS = 5


def _stopping_server(config: Any, *, stop_streams: Callable[[], None]) -> Any:
    """A uvicorn server that ends the event streams as soon as a stop is
    asked: it waits for open connections to close, and a stream never would."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            stop_streams()
            super().handle_exit(sig, frame)

    return Server(config)


def _check_free(host: str, port: int) -> None:
    """Refuse at once, before saying where to connect, if the port is taken."""
    with socket.socket() as probe:
        # As the server itself will: a port left in TIME_WAIT by a server
        # that just stopped is free to take again.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


@main.command()
@database_option
def migrate(database_url: str | None) -> None:
    """Bring the database schema up to date."""
    settings = _settings(database_url)
    _migrate(settings)
    click.echo("Database is up to date.")


@main.command()
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Keep tombstones this many days (default: the setting, 30).",
)
@database_option
def purge(days: int | None, database_url: str | None) -> None:
    """Remove deleted records, history and unused photos older than the horizon."""
    import datetime as dt

    from backend.offline.horizon import purge_tombstones

    settings = _settings(database_url)
    _migrate(settings)
    horizon = dt.timedelta(days=days or settings.tombstone_days)
    report = _with_database(settings, lambda db: purge_tombstones(db, horizon))
    purged = ", ".join(f"{count} {kind}" for kind, count in report.purged.items()) or "nothing"
    click.echo(
        f"Purged {purged}; {report.history_removed} old changes removed from history;"
        f" {report.blobs_removed} unused photos removed."
    )


@main.command()
@database_option
def demo(database_url: str | None) -> None:
    """Fill an empty database with the demo company."""
    from backend.demo import load_demo

    settings = _settings(database_url)
    _migrate(settings)
    loaded = _with_database(settings, load_demo)
    click.echo("Demo company loaded." if loaded else "Database not empty: nothing done.")


@main.group(name="import")
def import_group() -> None:
    """Import data from another product."""


@import_group.command(name="dolibarr")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@database_option
def import_dolibarr_command(files: tuple[str, ...], database_url: str | None) -> None:
    """Import a Dolibarr MariaDB dump (and its dictionaries file)."""
    from backend.imports.dolibarr import import_dolibarr

    settings = _settings(database_url)
    _migrate(settings)
    paths = [Path(name) for name in files]
    report = _with_database(settings, lambda db: import_dolibarr(db, paths))
    click.echo(report.describe())


@main.group()
def user() -> None:
    """Accounts of the people who sign in."""


def _password(value: str | None) -> str:
    secret = getpass.getpass("Password: ") if value is None else value
    if not secret:
        raise click.BadParameter("a password cannot be empty", param_hint="--password")
    return secret


def _email(value: str) -> str:
    if not re.fullmatch(EMAIL_PATTERN, value) or len(value.strip()) > 254:
        raise click.BadParameter(f"{value!r} is not an e-mail address", param_hint="EMAIL")
    return value.strip().lower()


@user.command(name="add")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), default="employee")
@click.option("--password", default=None, help="Asked for when not given.")
@click.option(
    "--rate",
    "cents_per_hour",
    type=click.IntRange(0, 100_000_00),
    default=None,
    help="Hourly cost in cents.",
)
@database_option
def user_add(
    email: str,
    name: str,
    role: str,
    password: str | None,
    cents_per_hour: int | None,
    database_url: str | None,
) -> None:
    """Create an account."""
    from backend.people.services import add_user, set_rate

    settings = _settings(database_url)
    address = _email(email)
    if not name.strip():
        raise click.BadParameter("a name cannot be empty", param_hint="--name")
    secret = _password(password)
    _migrate(settings)

    async def work(db: Database) -> None:
        async with db.writing() as session:
            person = await add_user(
                session, email=address, name=name.strip(), role=Role(role), password=secret
            )
            if cents_per_hour is not None:
                await set_rate(session, person.id, dt.date(2000, 1, 1), cents_per_hour)

    _with_database(settings, work)
    click.echo(f"Account {email} created ({role}).")


@user.command(name="grant")
@click.argument("who")
@click.option("--email", required=True, help="The e-mail they will sign in with.")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--password", default=None, help="Asked for when not given.")
@database_option
def user_grant(
    who: str, email: str, role: str, password: str | None, database_url: str | None
) -> None:
    """Let an existing (imported) person sign in; WHO is a login, e-mail or id."""
    from backend.people.services import grant_login

    settings = _settings(database_url)
    address = _email(email)
    secret = _password(password)
    _migrate(settings)

    async def work(db: Database) -> None:
        async with db.writing() as session:
            await grant_login(session, who, email=address, role=Role(role), password=secret)

    _with_database(settings, work)
    click.echo(f"{who} may now sign in as {email} ({role}).")


if __name__ == "__main__":
    main()
