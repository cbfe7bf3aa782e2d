"""The person making a request, as the access policy sees them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

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


@dataclass(frozen=True)
class Shape:
    """What the access policy's SQL depends on besides a person's ids.

    Statements built for a stand-in of a shape (``stand_in``), whose ids
    are bound parameters, serve every person of that shape with their own
    values (``bound_values``): building the visibility rules as SQL is
    paid once per shape, not once per person.
    """

    role: Role
    in_team: bool
    teams_supervised: int


def shape_of(actor: Actor) -> Shape:
    return Shape(actor.role, actor.team_id is not None, len(actor.supervised_team_ids))


def stand_in(shape: Shape) -> Actor:
    """An actor of ``shape`` whose ids are the bound parameters that
    ``bound_values`` fills."""
    person: Any = sa.bindparam("actor_id", type_=sa.Uuid())
    team: Any = sa.bindparam("actor_team_id", type_=sa.Uuid()) if shape.in_team else None
    supervised: Any = frozenset(
        sa.bindparam(f"actor_supervised_{index}", type_=sa.Uuid())
        for index in range(shape.teams_supervised)
    )
    return Actor(id=person, role=shape.role, name="", team_id=team, supervised_team_ids=supervised)


def bound_values(actor: Actor) -> dict[str, Any]:
    values: dict[str, Any] = {"actor_id": actor.id}
    if actor.team_id is not None:
        values["actor_team_id"] = actor.team_id
    for index, team_id in enumerate(sorted(actor.supervised_team_ids)):
        values[f"actor_supervised_{index}"] = team_id
    return values
