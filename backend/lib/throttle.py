"""Slowing down guessing: failures counted per key in a sliding window.

Counts live in this process's memory: enough to stop a script trying
passwords against one server process; several processes each count on
their own.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class Throttle:
    """At most ``limit`` failures per key within ``window`` seconds."""

    def __init__(self, limit: int, window: float, *, keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.keys = keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def wait_for(self, key: str, now: float | None = None) -> float:
        """Seconds before ``key`` may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        failures = self._recent(key, now)
        if len(failures) < self.limit:
            return 0.0
        return max(0.0, failures[0] + self.window - now)

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent(key, now).append(now)
        self._failures.move_to_end(key)
        # Forget the quietest keys first: memory stays bounded under a flood.
        while len(self._failures) > self.keys:
            self._failures.popitem(last=False)

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures
