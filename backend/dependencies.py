"""What request handlers may ask for, named once (provided in ``backend.app``)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency

from backend.access.actors import Actor
from backend.db.engine import Database
from backend.notify.feed import ChangeFeed
from backend.settings import Settings
from sync.registry import MutatorRegistry

SignedIn: TypeAlias = NamedDependency[Actor]
Db: TypeAlias = NamedDependency[Database]
AppSettings: TypeAlias = NamedDependency[Settings]
Mutators: TypeAlias = NamedDependency[MutatorRegistry]
Feed: TypeAlias = NamedDependency[ChangeFeed]
