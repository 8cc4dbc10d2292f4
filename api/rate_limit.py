"""Per-sender rate limiting: one client cannot starve the others.

An in-process token bucket per sender key: ``burst`` messages at once, then
``per_minute`` a minute. Over the limit, the citizen gets a polite message saying
how long to wait (``api/data/security.yml``), never silence. With several app
replicas each process limits on its own; that is a bound per replica, which is
enough to keep one client from starving the others on that replica.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse

from api.security import text

MAX_TRACKED = 50_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by sender; ``per_minute <= 0`` disables limiting."""

    def __init__(self, per_minute: int, burst: int, clock=time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(max(burst, 1))
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether a limit is configured."""
        return self.rate > 0

    def acquire(self, key: str) -> float:
        """Take one token for ``key``; returns 0 when allowed, else seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                self._prune(now)
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled (bounded memory under many senders)."""
        if len(self._buckets) < MAX_TRACKED:
            return
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.updated) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]


def over_limit(request: Request, sender: str) -> JSONResponse | None:
    """Return a 429 with a polite ``detail`` (shown by the widget) when ``sender`` is over."""
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    wait = limiter.acquire(sender) if limiter else 0.0
    if wait <= 0:
        return None
    seconds = max(1, math.ceil(wait))
    message = text("rate_limited", seconds=seconds)
    return JSONResponse(status_code=429, headers={"Retry-After": str(seconds)}, content={
        "detail": message, "retry_after": seconds,
        "messages": [{"text": message, "buttons": []}]})
