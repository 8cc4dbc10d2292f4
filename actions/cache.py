"""A tiny time-based cache for facts that change rarely (office info, catalog date)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class TtlCache:
    """Values computed at most once per ``ttl`` seconds; recomputing concurrently is harmless."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._values: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        """The cached value of ``key``, or ``compute()`` when missing or older than ``ttl``."""
        now = time.monotonic()
        cached = self._values.get(key)
        if cached is None or now - cached[0] > self.ttl:
            cached = self._values[key] = (now, compute())
        return cached[1]
