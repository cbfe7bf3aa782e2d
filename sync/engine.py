"""The push side of the sync engine, framework-free.

A push is a batch of one device's mutations in ``seq`` order. The engine
walks it against a ``PushStore`` (the server's storage, inside one
transaction) and decides each mutation's fate::

    seq <= last_seq ........................ duplicate (first answer again)
      ... with another mutation id ......... rejected: seq_reused
    seq >  last_seq + 1 .................... stop: gap, expected last_seq + 1
    unknown name / role / bad args ......... rejected
    mutator raises Rejected ................ rejected   (its writes undone)
    mutator raises Conflicted .............. conflict   (both sides kept)
    mutator returns Kept ................... conflict   (applied in part, loser kept)
    otherwise .............................. applied

Every outcome is recorded and moves ``last_seq`` in the same transaction
as the mutation's effects, so a crash leaves both or neither; a mutation
that can never apply still moves it, so it cannot block the outbox.

The store sees the whole batch first (``prepare``), so that it can read
what the batch names in a few queries and hold back its writes; a store
that finds, when it writes them, that it cannot tell which mutation a
failure belongs to raises ``Replay``: the caller undoes the push and runs
it again in a store that applies one mutation at a time.
"""

from __future__ import annotations

import functools
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import msgspec

from sync.messages import Mutation, MutationResult
from sync.outcomes import Conflicted, Kept, Rejected
from sync.registry import Mutator, MutatorRegistry

# The JSON escape of the NUL character, as it appears in raw args.
NUL = b"\\u0000"


class Replay(Exception):
    """Writes held back for a batch failed together: undo the push and run
    it again one mutation at a time, where each failure has its owner."""


@dataclass(frozen=True)
class Decoded:
    """A mutation whose name, role and args passed: ready to apply."""

    mutation: Mutation
    mutator: Mutator[Any]
    args: Any


class PushStore(Protocol):
    """What the engine needs from the server's storage for one push."""

    role: str

    async def last_seq(self) -> int: ...

    async def stored_result(self, seq: int) -> tuple[MutationResult, uuid.UUID] | None:
        """The first answer given for ``seq``, and the id of its mutation."""
        ...

    async def prepare(self, batch: list[Decoded]) -> None:
        """Called once, before any ``apply``, with the mutations to come."""
        ...

    async def apply(self, mutator: Mutator[Any], args: Any, mutation: Mutation) -> Kept | None:
        """Apply one mutation; when it raises, none of its writes stay."""
        ...

    async def keep_conflict(self, mutation: Mutation, conflict: Conflicted) -> uuid.UUID: ...

    async def record(self, mutation: Mutation, result: MutationResult) -> None: ...

    async def advance(self, last_seq: int) -> None: ...

    def message(self, code: str, fields: dict[str, Any]) -> str: ...

    def is_transient(self, exc: Exception) -> bool:
        """A fault worth retrying the whole push for (database busy)."""
        ...

    def is_race(self, exc: Exception) -> bool:
        """A constraint that a concurrent writer won: run the mutator again."""
        ...

    def is_unstorable(self, exc: Exception) -> bool:
        """A value the database refuses (out of range, bad text): bad input."""
        ...

    def log_failure(self, mutation: Mutation, exc: Exception) -> None: ...


@dataclass
class PushOutcome:
    results: list[MutationResult]
    last_seq: int
    # Set when the batch stopped at a gap: the seq the server expects next.
    expected_seq: int | None = None


async def push(
    store: PushStore, registry: MutatorRegistry, mutations: Iterable[Mutation]
) -> PushOutcome:
    """Apply a device's mutations in order; see the module doc for the rules."""
    last_seq = await store.last_seq()
    results: list[MutationResult] = []
    batch = list(mutations)
    checked = [_decode(store, registry, m) if m.seq > last_seq else None for m in batch]
    await store.prepare([item for item in checked if isinstance(item, Decoded)])

    for mutation, decoded in zip(batch, checked, strict=True):
        if mutation.seq <= last_seq:
            results.append(await _duplicate(store, mutation))
            continue
        if mutation.seq != last_seq + 1:
            await store.advance(last_seq)
            return PushOutcome(results, last_seq, expected_seq=last_seq + 1)

        assert decoded is not None
        result = await _apply(store, decoded) if isinstance(decoded, Decoded) else decoded
        await store.record(mutation, result)
        results.append(result)
        last_seq = mutation.seq

    await store.advance(last_seq)
    return PushOutcome(results, last_seq)


async def _duplicate(store: PushStore, mutation: Mutation) -> MutationResult:
    stored = await store.stored_result(mutation.seq)
    if stored is None:
        return MutationResult(seq=mutation.seq, status="duplicate")
    first, first_id = stored
    if first_id != mutation.id:
        # Not a resend: another change under a number already used. Saying
        # "duplicate" would drop it from the outbox unseen.
        return _rejected(store, mutation, "seq_reused", {"seq": mutation.seq})
    return msgspec.structs.replace(first, status="duplicate", original=first.status)


def _decode(
    store: PushStore, registry: MutatorRegistry, mutation: Mutation
) -> Decoded | MutationResult:
    """The mutation ready to apply, or its rejection: unknown, not the
    caller's to send, or args that do not hold."""
    mutator = registry.get(mutation.name)
    if mutator is None:
        return _rejected(store, mutation, "unknown_mutator", {"name": mutation.name})
    if store.role not in mutator.roles:
        return _rejected(store, mutation, "forbidden", {})
    if mutation.tz is not None and not known_zone(mutation.tz):
        return _rejected(store, mutation, "invalid_input", {"reason": "unknown time zone"})
    if holds_nul(mutation.args):
        # PostgreSQL cannot store it in text; refuse it on every database.
        return _rejected(store, mutation, "invalid_input", {"reason": "text holds a NUL"})
    try:
        args = mutator.decode(mutation.args)
    except msgspec.ValidationError as exc:
        return _rejected(store, mutation, "invalid_input", {"reason": str(exc)})
    except (msgspec.DecodeError, RecursionError):
        return _rejected(store, mutation, "invalid_input", {"reason": "args are not JSON"})
    return Decoded(mutation, mutator, args)


async def _apply(store: PushStore, decoded: Decoded) -> MutationResult:
    mutation = decoded.mutation
    for attempt in (1, 2):
        try:
            kept = await store.apply(decoded.mutator, decoded.args, mutation)
        except Replay:
            raise
        except Rejected as refusal:
            return _rejected(store, mutation, refusal.code, refusal.fields)
        except Conflicted as conflict:
            conflict_id = await store.keep_conflict(mutation, conflict)
            return MutationResult(
                seq=mutation.seq,
                status="conflict",
                code=conflict.kind,
                message=store.message(conflict.code, conflict.fields),
                conflict_id=conflict_id,
            )
        except Exception as exc:
            if store.is_transient(exc):
                raise
            if store.is_race(exc) and attempt == 1:
                continue
            if store.is_unstorable(exc):
                return _rejected(store, mutation, "invalid_input", {"reason": "cannot be stored"})
            # A mutation that fails this way would fail on every retry and
            # block the device's outbox for good: record it and go on.
            store.log_failure(mutation, exc)
            return _rejected(store, mutation, "internal_error", {})
        else:
            if kept is None:
                return MutationResult(seq=mutation.seq, status="applied")
            return MutationResult(
                seq=mutation.seq,
                status="conflict",
                code=kept.kind,
                message=store.message(kept.code, kept.fields),
                conflict_id=kept.conflict_id,
            )
    raise AssertionError("unreachable: the second attempt always returns")


def holds_nul(args: msgspec.Raw) -> bool:
    """Does any text in ``args`` hold a NUL character?"""
    raw = bytes(args)
    if NUL not in raw:
        return False
    try:
        return _has_nul(msgspec.json.decode(raw))
    except (msgspec.DecodeError, RecursionError):
        return False


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


@functools.cache
def known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _rejected(
    store: PushStore, mutation: Mutation, code: str, fields: dict[str, Any]
) -> MutationResult:
    return MutationResult(
        seq=mutation.seq,
        status="rejected",
        code=code,
        message=store.message(code, fields),
        details=fields or None,
    )
