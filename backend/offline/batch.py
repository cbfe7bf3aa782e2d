"""A push applied as a batch: read once, decide in memory, write together.

Applying mutations one by one costs a few statements each (a savepoint,
the record's reads, its write, the release): at a hundred mutations a
push, the statements are the push's time. So a push first reads every
row its mutations name, a few queries for the whole batch, and each
mutator that knows how (its ``in_batch`` form) decides in memory, from
those rows and the merge rules, and holds its writes back. The writes
leave together, one statement per table and kind (each change still its
own row of the statement), before the outcomes.

The batch decides only the plain case: the change applies as sent, or is
already so. Anything else (a refusal, a conflict, a merge field by field,
a fact not read) is *undecided*: the held writes go out, and the mutator's
handler runs as it would alone, in its own savepoint, with every rule and
message of its own. After such a handler wrote something, the rows read
are read again for the mutations still to come.

Held writes that fail together cannot say whose mutation failed: the
push is undone and run again one mutation at a time (``Replay``).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor, Shape, bound_values, shape_of, stand_in
from backend.db.faults import is_transient
from backend.db.models import PurgedEntity
from backend.db.upsert import dialect_of
from backend.offline.context import MutationContext
from sync.engine import Decoded, Replay
from sync.outcomes import Conflicted, Rejected
from sync.registry import Mutator

logger = structlog.get_logger()

# A rule of the access policy: what an actor may see of a table.
Visibility = Callable[[Actor], sa.ColumnElement[bool]]

Args = TypeVar("Args")
Part = TypeVar("Part")

# The version of a row written by this push: newer than any base a device
# could name, and not known until the database stamps it.
WRITTEN = float("inf")
# After this many rereads in one push, the rest of it goes one by one:
# a batch of conflicts would otherwise read its rows again each time.
MAX_REREADS = 4


class Undecided(Exception):
    """The batch cannot decide this change in memory: its handler will."""


class Record(dict[str, Any]):
    """A row as the batch holds it, read and set as attributes like the
    ORM's objects, so that the rules' guards read both alike. A column
    named like a method of ``dict`` (a template's ``items``) is read by
    key."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


@dataclass(frozen=True)
class InBatch(Generic[Args]):
    """How a mutator runs inside a batch.

    ``load`` reads what the args of the batch's mutations of this kind
    name (through ``PushBatch.fetch``); ``decide`` applies one of them in
    memory or raises ``Undecided`` (a ``Rejected`` or ``Conflicted`` from
    a shared guard counts as undecided: the handler says it properly).
    """

    load: Callable[[PushBatch, MutationContext, Sequence[Args]], Awaitable[None]]
    decide: Callable[[PushBatch, MutationContext, Args], None]


class PushBatch:
    """The rows a push's mutations name, and the writes held back."""

    def __init__(self, session: AsyncSession, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.on_postgresql = dialect_of(session) == "postgresql"
        # For the statements built once per shape of person: the shape, and
        # the actor's own ids to bind.
        self._shape = shape_of(actor)
        self._person = bound_values(actor)
        self.rows: dict[str, dict[uuid.UUID, Record]] = {}
        self.purged: set[uuid.UUID] = set()
        self._parts: dict[type, Any] = {}
        self._asked: dict[str, set[uuid.UUID]] = {}
        self._inserts: dict[sa.Table, list[dict[str, Any]]] = {}
        self._updates: dict[sa.Table, list[dict[str, Any]]] = {}
        self._todo: list[Decoded] = []
        self._position: dict[int, int] = {}
        self._done = 0
        self._stale = True
        self._rereads = 0

    # -- reading -----------------------------------------------------------

    def plan(self, batch: list[Decoded]) -> None:
        """The mutations to come, in order: what the reads are for."""
        self._todo = batch
        self._position = {id(item.mutation): index for index, item in enumerate(batch)}

    async def decide(self, mutator: Mutator[Any], args: Any, ctx: MutationContext) -> bool:
        """Apply the mutation in memory; False when its handler must."""
        form: InBatch[Any] | None = mutator.in_batch
        self._done = self._position.get(id(ctx.mutation), self._done)
        if form is None or self._rereads > MAX_REREADS:
            return False
        if self._stale:
            try:
                await self._read(ctx)
            except DBAPIError as exc:
                if is_transient(exc):
                    raise
                raise Replay() from exc
            except Exception as exc:
                # A read that fails on some args must not fail the push:
                # the rest of it goes one by one, each with its own outcome.
                logger.error("sync.batch_read_failed", error=type(exc).__name__, exc_info=exc)
                self._rereads = MAX_REREADS + 1
                return False
        try:
            form.decide(self, ctx, args)
        except (Undecided, Rejected, Conflicted):
            return False
        return True

    def handler_wrote(self) -> None:
        """A handler changed rows behind the batch: read again before use."""
        self._stale = True
        self._rereads += 1

    def row(self, table: sa.Table, row_id: uuid.UUID | None) -> Record | None:
        """The row as read (None: not there, or not the actor's to see).

        A row never asked for is not taken as missing: undecided.
        """
        if row_id is None:
            return None
        found = self.rows.get(table.name, {}).get(row_id)
        if found is None and row_id not in self._asked.get(table.name, ()):
            raise Undecided()
        return found

    def was_purged(self, entity_id: uuid.UUID) -> bool:
        if entity_id not in self._asked.get("purged", ()):
            raise Undecided()
        return entity_id in self.purged

    def part(self, kind: Callable[[], Part]) -> Part:
        """A context's own state for this batch (made empty when first asked)."""
        assert isinstance(kind, type)
        if kind not in self._parts:
            self._parts[kind] = kind()
        found: Part = self._parts[kind]
        return found

    async def execute(self, statement: Any, rows: Any = None) -> sa.CursorResult[Any]:
        """Run a Core statement on the push's connection: the batch holds
        plain rows, so the ORM's work per statement would be cost only."""
        connection = await self.session.connection()
        result: sa.CursorResult[Any] = await connection.execute(statement, rows)
        return result

    async def fetch(
        self,
        table: sa.Table,
        ids: Iterable[uuid.UUID | None],
        visible: Visibility | None = None,
    ) -> dict[uuid.UUID, Record]:
        """Read the rows of ``table`` with these ids (those the ``visible``
        rule of the access policy lets the actor see), once per batch; the
        rows held so far, by id."""
        held = self.rows.setdefault(table.name, {})
        asked = self._asked.setdefault(table.name, set())
        wanted = {row_id for row_id in ids if row_id is not None} - asked
        if wanted:
            asked |= wanted
            shape = self._shape if visible is not None else None
            statement = _rows_statement(table, visible, shape, self.on_postgresql)
            found = await self.execute(statement, {**self._person, "ids": list(wanted)})
            for row in found.mappings():
                held[row["id"]] = Record(row)
        return held

    async def fetch_purged(self, ids: Iterable[uuid.UUID]) -> None:
        """Note which of these ids were purged (past the horizon)."""
        wanted = set(ids) - self._asked.setdefault("purged", set())
        if not wanted:
            return
        self._asked["purged"] |= wanted
        statement = _purged_statement(self.on_postgresql)
        found = await self.execute(statement, {"ids": list(wanted)})
        self.purged.update(found.scalars())

    async def _read(self, ctx: MutationContext) -> None:
        self.rows.clear()
        self.purged.clear()
        self._parts.clear()
        self._asked.clear()
        by_form: dict[int, tuple[InBatch[Any], list[Any]]] = {}
        for item in self._todo[self._done :]:
            form = item.mutator.in_batch
            if form is not None:
                by_form.setdefault(id(form), (form, []))[1].append(item.args)
        for form, args in by_form.values():
            await form.load(self, ctx, args)
        self._stale = False

    # -- writing -----------------------------------------------------------

    def insert(self, table: sa.Table, values: dict[str, Any]) -> Record:
        """Hold back a new row; it is read back at once from memory."""
        self._inserts.setdefault(table, []).append(dict(values))
        record = Record({"deleted_at": None, **values, "version": WRITTEN})
        self.rows.setdefault(table.name, {})[values["id"]] = record
        return record

    def update(self, table: sa.Table, record: Record, values: dict[str, Any]) -> None:
        """Hold back new values of a row read or inserted by this batch.

        Each change is written as its own, in order, even to a row made or
        changed earlier in the batch: the change log keeps every write, as
        when the mutations run one by one.
        """
        self._updates.setdefault(table, []).append({"row_id": record["id"], **values})
        record.update(values)
        record["version"] = WRITTEN

    async def write(self) -> None:
        """Send the held writes: per table, its new rows, then its changes.

        A failure among them belongs to no one mutation: ``Replay``.
        """
        inserts, updates = self._inserts, self._updates
        if not inserts and not updates:
            return
        self._inserts, self._updates = {}, {}
        try:
            for table in dict.fromkeys([*inserts, *updates]):
                for rows in _same_columns(inserts.get(table, [])):
                    await self.execute(_insert_statement(table), rows)
                for rows in _same_columns(updates.get(table, [])):
                    await self.execute(_update_statement(table), rows)
        except DBAPIError as exc:
            if is_transient(exc):
                raise
            raise Replay() from exc


# Statements are built once (per table, rule and shape of person) and kept:
# a statement object keeps its cache key, so neither is built again.


def among(column: sa.ColumnElement[Any], on_postgresql: bool) -> sa.ColumnElement[bool]:
    """``column IN :ids``. On PostgreSQL, one array parameter: the
    statement's text, and so its prepared plan, is the same whatever the
    number of ids."""
    if on_postgresql:
        return column == sa.any_(sa.bindparam("ids", type_=postgresql.ARRAY(column.type)))
    return column.in_(sa.bindparam("ids", expanding=True))


@functools.lru_cache(maxsize=128)
def _rows_statement(
    table: sa.Table, visible: Visibility | None, shape: Shape | None, on_postgresql: bool
) -> sa.Select[Any]:
    where = [] if visible is None or shape is None else [visible(stand_in(shape))]
    return sa.select(table).where(among(table.c.id, on_postgresql), *where)


@functools.lru_cache(maxsize=2)
def _purged_statement(on_postgresql: bool) -> sa.Select[Any]:
    purged: sa.Table = PurgedEntity.__table__  # type: ignore[assignment]
    return sa.select(purged.c.entity_id).where(among(purged.c.entity_id, on_postgresql))


@functools.lru_cache(maxsize=32)
def _insert_statement(table: sa.Table) -> sa.Insert:
    return table.insert()


@functools.lru_cache(maxsize=32)
def _update_statement(table: sa.Table) -> sa.Update:
    return table.update().where(table.c.id == sa.bindparam("row_id"))


def _same_columns(rows: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows in order, cut where the columns they set change: one statement
    for each run of rows alike."""
    runs: list[list[dict[str, Any]]] = []
    for row in rows:
        if runs and runs[-1][0].keys() == row.keys():
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs
