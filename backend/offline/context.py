"""What a mutator is given: the session, who acts, and the mutation itself."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.access.actors import Actor
from sync.messages import Mutation
from sync.registry import MutatorRegistry


@dataclass
class MutationContext:
    session: AsyncSession
    actor: Actor
    client_id: uuid.UUID
    mutation: Mutation
    # The mutation's device time corrected by the device's clock offset.
    corrected_at: dt.datetime
    # Every mutator, for the few that replay others (conflict resolution).
    mutators: MutatorRegistry | None = None

    @property
    def base(self) -> int | None:
        return self.mutation.base
