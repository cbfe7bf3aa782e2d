"""Merge rules, as pure functions (PROTOCOL.md, Merge rules).

They decide, from values and times only, what a device's change does to
the server's record; the mutators apply the decision and keep the losing
side as a conflict record. Nothing here touches storage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldMerge:
    """The fields to write, and the fields both sides changed differently."""

    apply: dict[str, Any] = field(default_factory=dict)
    contested: tuple[str, ...] = ()


def three_way(
    base: Mapping[str, Any] | None,
    server: Mapping[str, Any],
    device: Mapping[str, Any],
) -> FieldMerge:
    """Merge a device's values into the server's, field by field.

    ``base`` is the record as the device last saw it. A field the device
    left as it was is not touched; a field only the device changed is
    applied; a field both changed to different values is contested. With
    no base (the device's base is older than the change log keeps), every
    field whose values differ is contested and decided by time.
    """
    apply: dict[str, Any] = {}
    contested: list[str] = []

    for name, theirs in device.items():
        ours = server.get(name)
        if theirs == ours:
            continue
        if base is None:
            contested.append(name)
        elif theirs == base.get(name):
            continue
        elif ours == base.get(name):
            apply[name] = theirs
        else:
            contested.append(name)

    return FieldMerge(apply=apply, contested=tuple(contested))


def device_wins(device_at: dt.datetime, server_at: dt.datetime | None) -> bool:
    """Same field changed on both sides: the later change wins.

    Both times are corrected device times (``sync.clock``). On an exact tie
    the change that arrives later wins, like any other later write.
    """
    return server_at is None or device_at >= server_at
