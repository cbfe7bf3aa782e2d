"""Mutators: the named changes a device may send.

Each context of the server registers its own. A mutator has typed args (a
msgspec struct, the validation), the roles that may call it at all, and
an async handler that applies the change with the caller's rights inside
the business rules. Finer rights (own week, own team) are the handler's.

A mutator may also say how the server applies it inside a batch, from
rows read for the whole batch (``in_batch``); the engine passes it on
without looking into it, and the handler stays the reference.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

from sync.outcomes import Kept

Args = TypeVar("Args", bound=msgspec.Struct)
Handler = Callable[[Any, Args], Awaitable[Kept | None]]


@dataclass(frozen=True)
class Mutator(Generic[Args]):
    name: str
    args_type: type[Args]
    roles: frozenset[str]
    handler: Handler[Args]
    in_batch: Any = None

    def decode(self, raw: bytes | msgspec.Raw) -> Args:
        """The args, or ``msgspec.ValidationError`` naming the bad field."""
        return msgspec.json.decode(raw, type=self.args_type)


class MutatorRegistry:
    def __init__(self) -> None:
        self._mutators: dict[str, Mutator[Any]] = {}

    def register(
        self, name: str, args_type: type[Args], roles: Iterable[str], in_batch: Any = None
    ) -> Callable[[Handler[Args]], Handler[Args]]:
        """Decorator: ``@registry.register("time_entry.put", TimeEntryPut, roles)``."""

        def add(handler: Handler[Args]) -> Handler[Args]:
            if name in self._mutators:
                raise ValueError(f"mutator {name} is registered twice")
            self._mutators[name] = Mutator(name, args_type, frozenset(roles), handler, in_batch)
            return handler

        return add

    def get(self, name: str) -> Mutator[Any] | None:
        return self._mutators.get(name)

    def names(self) -> list[str]:
        return sorted(self._mutators)
