"""The person making a request, as the access policy sees them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from backend.db.models import Role


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID
    role: Role
    name: str
    team_id: uuid.UUID | None = None
    # None: follow the language of the browser.
    language: str | None = None
    time_zone: str = "Europe/Paris"
    # Teams whose supervisor this person is.
    supervised_team_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER)
