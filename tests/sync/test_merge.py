"""Merge rules as tables: base, server, device -> what is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.merge import device_wins, three_way

T0 = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)

THREE_WAY_CASES = [
    # name, base, server, device, applied, contested
    ("nobody changed", {"a": 1}, {"a": 1}, {"a": 1}, {}, ()),
    ("device changed a field", {"a": 1}, {"a": 1}, {"a": 2}, {"a": 2}, ()),
    ("server changed it, device did not", {"a": 1}, {"a": 3}, {"a": 1}, {}, ()),
    ("both changed to the same value", {"a": 1}, {"a": 2}, {"a": 2}, {}, ()),
    ("both changed differently", {"a": 1}, {"a": 2}, {"a": 3}, {}, ("a",)),
    ("other fields merge", {"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 1, "b": 5}, {"b": 5}, ()),
    ("no base: differences are contested", None, {"a": 1, "b": 2}, {"a": 1, "b": 3}, {}, ("b",)),
    ("field new to the device", {"a": 1}, {"a": 1, "b": None}, {"a": 1, "b": 4}, {"b": 4}, ()),
]


@pytest.mark.parametrize(
    ("name", "base", "server", "device", "applied", "contested"),
    THREE_WAY_CASES,
    ids=[case[0] for case in THREE_WAY_CASES],
)
def test_three_way(
    name: str,
    base: dict[str, Any] | None,
    server: dict[str, Any],
    device: dict[str, Any],
    applied: dict[str, Any],
    contested: tuple[str, ...],
) -> None:
    merge = three_way(base, server, device)

    assert merge.apply == applied
    assert merge.contested == contested


WINNER_CASES = [
    ("later device change wins", T0 + dt.timedelta(seconds=1), T0, True),
    ("earlier device change loses", T0 - dt.timedelta(seconds=1), T0, False),
    ("exact tie goes to the later arrival", T0, T0, True),
    ("server value with no time loses", T0, None, True),
]


@pytest.mark.parametrize(
    ("name", "device_at", "server_at", "wins"), WINNER_CASES, ids=[c[0] for c in WINNER_CASES]
)
def test_device_wins(
    name: str, device_at: dt.datetime, server_at: dt.datetime | None, wins: bool
) -> None:
    assert device_wins(device_at, server_at) is wins
