"""What a mutator is given: the session, who acts, and the mutation itself."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from sync.messages import Mutation


@dataclass
class PushMemo:
    """Facts a push reads once and its later mutations reuse.

    Only facts no mutator can change go here: a checklist template's items
    (no mutation writes templates); the service orders and checklist runs
    the actor was found to see, and the affairs (with the service order
    named beside them) found open to the actor, since no mutation assigns,
    closes or hides them. So visibility is decided at the push's first
    read of a record; whether the record is deleted, locked or signed is
    still read by every mutation. A fact that fails is never kept: each
    mutation meeting it asks again and refuses with its own details.
    """

    template_items: dict[uuid.UUID, list[dict[str, Any]]] = field(default_factory=dict)
    visible_orders: set[uuid.UUID] = field(default_factory=set)
    visible_runs: set[uuid.UUID] = field(default_factory=set)
    open_affairs: set[tuple[uuid.UUID, uuid.UUID | None]] = field(default_factory=set)


@dataclass
class MutationContext:
    session: AsyncSession
    actor: Actor
    client_id: uuid.UUID
    mutation: Mutation
    # The mutation's device time corrected by the device's clock offset.
    corrected_at: dt.datetime
    # The records that decided what this device held at its last pull, by
    # type: a change to one that left its scope since is a conflict.
    held: dict[str, frozenset[str]] | None = None
    # Shared by the mutations of one push; a lone mutation gets its own.
    memo: PushMemo = field(default_factory=PushMemo)

    def held_before(self, root_type: str, entity_id: uuid.UUID) -> bool:
        return self.held is not None and str(entity_id) in self.held.get(root_type, frozenset())

    @property
    def base(self) -> int | None:
        return self.mutation.base
