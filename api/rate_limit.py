"""Per-sender rate limiting: one client cannot starve the others.

A token bucket per sender key: ``burst`` messages at once, then ``per_minute`` a
minute. Over the limit, the citizen gets a polite message saying how long to
wait (``api/data/security.yml``), never silence. Without ``TTHC_REDIS_URL`` each
process keeps its buckets in memory (a bound per replica); with it, the buckets
live in Redis (one Lua script per message, atomic, Redis's clock), so every
replica counts the same messages. If Redis cannot be reached the message is let
through (logged): an outage of the limiter must not silence citizens.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from api.config import AppSettings
from api.security import text

log = logging.getLogger(__name__)
MAX_TRACKED = 50_000
REDIS_PREFIX = "tthc:rate:"
REDIS_TIMEOUT_S = 0.5
# names of the limiters: the start of their bucket keys
CHAT_SENDER = "rate_limiter"
CHAT_ADDRESS = "chat_address_limiter"
UPDATES_SENDER = "updates_limiter"
UPDATES_ADDRESS = "updates_address_limiter"
# KEYS[1] bucket; ARGV rate (tokens/s), capacity. Returns the seconds to wait ("0": allowed).
TOKEN_BUCKET = """
local rate, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(saved[1]) or capacity
local at = tonumber(saved[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 1)
return tostring(wait)
"""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class _Limits:
    """Refill rate (tokens/s) and bucket size; ``per_minute <= 0`` disables limiting."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(max(burst, 1))

    @property
    def enabled(self) -> bool:
        """Whether a limit is configured."""
        return self.rate > 0


class RateLimiter(_Limits):
    """Token buckets keyed by sender, in this process."""

    def __init__(self, per_minute: int, burst: int, clock=time.monotonic) -> None:
        super().__init__(per_minute, burst)
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

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


class RedisRateLimiter(_Limits):
    """The same token buckets, shared by every replica through Redis."""

    def __init__(self, url: str, per_minute: int, burst: int) -> None:
        import redis  # noqa: PLC0415 - only needed when Redis is configured

        super().__init__(per_minute, burst)
        self._redis = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                                           socket_connect_timeout=REDIS_TIMEOUT_S)
        self._script: Any = self._redis.register_script(TOKEN_BUCKET)
        self._warned_at = 0.0

    def acquire(self, key: str) -> float:
        """Take one token for ``key``; 0 when allowed (or Redis is down), else seconds to wait."""
        if not self.enabled:
            return 0.0
        try:
            return float(self._script(keys=[REDIS_PREFIX + key],
                                      args=[repr(self.rate), repr(self.capacity)]))
        except Exception as error:  # noqa: BLE001 - fail open, see the module docstring
            now = time.monotonic()
            if now - self._warned_at > 60:
                self._warned_at = now
                log.warning("rate limiter: Redis unavailable (%s); not limiting",
                            type(error).__name__)
            return 0.0


def build_rate_limiter(settings: AppSettings, per_minute: int | None = None,
                       burst: int | None = None) -> RateLimiter | RedisRateLimiter:
    """A limiter (the chat one by default), shared through Redis when ``redis_url`` is set."""
    per_minute = settings.rate_limit_per_minute if per_minute is None else per_minute
    burst = settings.rate_limit_burst if burst is None else burst
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, per_minute, burst)
    return RateLimiter(per_minute, burst)


@dataclass(frozen=True)
class Bucket:
    """One limiter and the name its keys start with (replicas share the Redis keys)."""

    name: str
    limiter: RateLimiter | RedisRateLimiter


@dataclass(frozen=True)
class Limiters:
    """Every limiter of the widget's routes: per sender and per client address."""

    chat_sender: Bucket
    chat_address: Bucket
    updates_sender: Bucket
    updates_address: Bucket


def build_limiters(settings: AppSettings) -> Limiters:
    """Build the widget's limiters (shared through Redis when ``redis_url`` is set).

    The per-address buckets stop a client that invents a new sender id for every
    message; they are larger, since an office or a phone network puts many
    citizens behind one address.
    """
    return Limiters(
        chat_sender=Bucket(CHAT_SENDER, build_rate_limiter(settings)),
        chat_address=Bucket(CHAT_ADDRESS, build_rate_limiter(
            settings, settings.chat_address_per_minute, settings.chat_address_burst)),
        updates_sender=Bucket(UPDATES_SENDER, build_rate_limiter(
            settings, settings.updates_per_minute, settings.rate_limit_burst)),
        updates_address=Bucket(UPDATES_ADDRESS, build_rate_limiter(
            settings, settings.updates_address_per_minute, settings.chat_address_burst * 2)),
    )


def client_address(request: Request) -> str:
    """The client's address (set from trusted proxies only, see :mod:`api.hardening`)."""
    return request.client.host if request.client else "unknown"


def over_limit(bucket: Bucket, key: str) -> JSONResponse | None:
    """Return a 429 with a polite ``detail`` (shown by the widget) when ``key`` is over."""
    wait = bucket.limiter.acquire(f"{bucket.name}:{key}")
    if wait <= 0:
        return None
    seconds = max(1, math.ceil(wait))
    message = text("rate_limited", seconds=seconds)
    return JSONResponse(status_code=429, headers={"Retry-After": str(seconds)}, content={
        "detail": message, "retry_after": seconds,
        "messages": [{"text": message, "buttons": []}]})


def over_limits(request: Request, sender_key: str, sender: Bucket,
                address: Bucket) -> JSONResponse | None:
    """The sender's limit, then the client address's (both take a token when allowed)."""
    return over_limit(sender, sender_key) or over_limit(address, client_address(request))
