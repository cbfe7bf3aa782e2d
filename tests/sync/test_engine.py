"""The push engine against an in-memory store: the rules of each outcome."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest

from sync.engine import Decoded, Replay, push
from sync.messages import Mutation, MutationResult
from sync.outcomes import Conflicted, Kept, Rejected
from sync.registry import Mutator, MutatorRegistry


class Args(msgspec.Struct):
    value: int


class Transient(Exception):
    pass


class Race(Exception):
    pass


@dataclass
class MemoryStore:
    role: str = "technician"
    seq: int = 0
    applied: list[int] = field(default_factory=list)
    recorded: dict[int, MutationResult] = field(default_factory=dict)
    conflicts: list[Conflicted] = field(default_factory=list)
    races_left: int = 0
    prepared: list[int] = field(default_factory=list)
    recorded_ids: dict[int, uuid.UUID] = field(default_factory=dict)

    async def last_seq(self) -> int:
        return self.seq

    async def stored_result(self, seq: int) -> tuple[MutationResult, uuid.UUID] | None:
        if seq not in self.recorded:
            return None
        return self.recorded[seq], self.recorded_ids[seq]

    @asynccontextmanager
    async def savepoint(self) -> Any:
        before = list(self.applied)
        try:
            yield
        except BaseException:
            self.applied = before
            raise

    async def prepare(self, batch: list[Decoded]) -> None:
        self.prepared.extend(item.mutation.seq for item in batch)

    async def apply(self, mutator: Mutator[Any], args: Any, mutation: Mutation) -> Kept | None:
        async with self.savepoint():
            if self.races_left:
                self.races_left -= 1
                self.applied.append(-1)
                raise Race()
            result: Kept | None = await mutator.handler(self, args)
            self.applied.append(args.value)
            return result

    async def keep_conflict(self, mutation: Mutation, conflict: Conflicted) -> uuid.UUID:
        self.conflicts.append(conflict)
        return uuid.uuid4()

    async def record(self, mutation: Mutation, result: MutationResult) -> None:
        self.recorded[mutation.seq] = result
        self.recorded_ids[mutation.seq] = mutation.id

    async def advance(self, last_seq: int) -> None:
        self.seq = last_seq

    def message(self, code: str, fields: dict[str, Any]) -> str:
        return f"{code}:{sorted(fields)}"

    def is_transient(self, exc: Exception) -> bool:
        return isinstance(exc, Transient)

    def is_race(self, exc: Exception) -> bool:
        return isinstance(exc, Race)

    def is_unstorable(self, exc: Exception) -> bool:
        return isinstance(exc, OverflowError)

    def log_failure(self, mutation: Mutation, exc: Exception) -> None:
        pass


registry = MutatorRegistry()


@registry.register("apply", Args, ["technician"])
async def _apply(store: Any, args: Args) -> None:
    if args.value < 0:
        raise Rejected("negative", value=args.value)
    if args.value == 13:
        raise Conflicted(kind="locked", entity_type="x", entity_id=None, code="locked")
    if args.value == 500:
        raise Transient()
    if args.value == 404:
        raise KeyError("a bug")
    if args.value == 10**18:
        raise OverflowError("the database refuses it")


@registry.register("office", Args, ["supervisor"])
async def _office(store: Any, args: Args) -> None:
    return None


def mutation(seq: int, value: Any = 1, name: str = "apply") -> Mutation:
    return Mutation(
        seq=seq,
        id=uuid.uuid4(),
        name=name,
        args=msgspec.Raw(msgspec.json.encode({"value": value})),
        at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
    )


CASES = [
    ("applied", mutation(1, 5), "applied", None),
    ("rejected by a rule", mutation(1, -1), "rejected", "negative"),
    ("conflict kept", mutation(1, 13), "conflict", "locked"),
    ("unknown mutator", mutation(1, 1, "nope"), "rejected", "unknown_mutator"),
    ("role may not", mutation(1, 1, "office"), "rejected", "forbidden"),
    ("bad args", mutation(1, "x"), "rejected", "invalid_input"),
    ("a crash in a mutator", mutation(1, 404), "rejected", "internal_error"),
    ("a value the database refuses", mutation(1, 10**18), "rejected", "invalid_input"),
    (
        "deep nesting",
        Mutation(
            seq=1,
            id=uuid.uuid4(),
            name="apply",
            args=msgspec.Raw(b"[" * 5000 + b"]" * 5000),
            at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
        ),
        "rejected",
        "invalid_input",
    ),
    (
        "unknown time zone",
        Mutation(
            seq=1,
            id=uuid.uuid4(),
            name="apply",
            args=msgspec.Raw(b'{"value": 1}'),
            tz="Mars/Olympus",
            at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
        ),
        "rejected",
        "invalid_input",
    ),
    (
        "a NUL in a text",
        Mutation(
            seq=1,
            id=uuid.uuid4(),
            name="apply",
            args=msgspec.Raw(b'{"value": 1, "x": "a\\u0000"}'),
            at=dt.datetime(2026, 12, 4, tzinfo=dt.UTC),
        ),
        "rejected",
        "invalid_input",
    ),
]


@pytest.mark.parametrize(("name", "sent", "status", "code"), CASES, ids=[c[0] for c in CASES])
async def test_each_outcome_moves_last_seq(
    name: str, sent: Mutation, status: str, code: str | None
) -> None:
    store = MemoryStore()

    outcome = await push(store, registry, [sent])

    assert outcome.results[0].status == status
    assert outcome.results[0].code == code
    assert store.seq == 1
    assert store.recorded[1].status == status
    if status != "applied":
        assert store.applied == []


async def test_resend_is_duplicate_with_first_outcome() -> None:
    store = MemoryStore()
    batch = [mutation(1, 5), mutation(2, -1)]
    await push(store, registry, batch)

    again = await push(store, registry, batch)

    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert [r.original for r in again.results] == ["applied", "rejected"]
    assert store.applied == [5]


async def test_a_number_used_again_by_another_change_is_refused_not_dropped() -> None:
    store = MemoryStore()
    first, other = mutation(1, 5), mutation(1, 6)

    outcome = await push(store, registry, [first, other])

    assert [(r.status, r.code) for r in outcome.results] == [
        ("applied", None),
        ("rejected", "seq_reused"),
    ]
    assert store.applied == [5]
    assert store.recorded[1].status == "applied"


async def test_gap_stops_and_says_what_is_expected() -> None:
    store = MemoryStore()

    outcome = await push(store, registry, [mutation(1), mutation(3)])

    assert outcome.expected_seq == 2
    assert outcome.last_seq == 1
    assert len(outcome.results) == 1


async def test_transient_fault_applies_nothing_more() -> None:
    store = MemoryStore()

    with pytest.raises(Transient):
        await push(store, registry, [mutation(1, 5), mutation(2, 500)])

    assert store.seq == 0


async def test_a_lost_race_runs_the_mutator_once_more() -> None:
    store = MemoryStore(races_left=1)

    outcome = await push(store, registry, [mutation(1, 7)])

    assert outcome.results[0].status == "applied"
    assert store.applied == [7]


async def test_the_store_sees_the_batch_to_apply_before_the_first_mutation() -> None:
    store = MemoryStore()
    await push(store, registry, [mutation(1, 5)])

    await push(store, registry, [mutation(1, 5), mutation(2, 6), mutation(3, "x")])

    # A resent seq is not prepared again, nor are args that do not decode.
    assert store.prepared == [1, 2]


async def test_a_replay_stops_the_push_for_the_caller_to_undo() -> None:
    store = MemoryStore()

    async def replaying(mutator: Any, args: Any, sent: Mutation) -> None:
        raise Replay()

    store.apply = replaying  # type: ignore[method-assign]

    with pytest.raises(Replay):
        await push(store, registry, [mutation(1, 5)])

    assert store.recorded == {}
