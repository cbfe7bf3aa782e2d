"""What a mutator is given: the session, who acts, and the mutation itself."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from sync.messages import Mutation


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

    def held_before(self, root_type: str, entity_id: uuid.UUID) -> bool:
        return self.held is not None and str(entity_id) in self.held.get(root_type, frozenset())

    @property
    def base(self) -> int | None:
        return self.mutation.base
