"""The Zalo intake on Redis (``TTHC_REDIS_URL``): events queued in a Redis Stream before the 200.

The webhook's durable write is one Lua script: remember the event's
``dedup_key`` (``SET NX``, kept as long as the database keeps handled events)
and, if it is new, ``XADD`` the event to the stream. Redis must run with the
append-only file (``appendfsync always`` to lose nothing acknowledged).

Every replica runs a pump in its consumer group: ``XREADGROUP`` hands each entry
to one replica, which stores it in the database queue (``zalo_inbound``,
idempotent on ``dedup_key``) and only then ``XACK``s it. Entries of a replica
that died before acknowledging stay pending and are taken over by another
replica (``XAUTOCLAIM``) once idle for a lease. From the database on, the
existing per-citizen claims and the outbox keep each citizen's events in order
and each reply sent exactly once, whichever replica handles it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from api.channels.zalo.events import ZaloEvent
from api.channels.zalo.queue import InboundQueue, QueueUnavailableError

log = logging.getLogger(__name__)
STREAM = "tthc:zalo:inbound"
GROUP = "tthc-app"
SEEN_PREFIX = "tthc:zalo:seen:"
BATCH = 50
BLOCK_MS = 1000
ERROR_PAUSE_S = 1.0
# KEYS[1] seen key, KEYS[2] stream; ARGV[1] payload, ARGV[2] seconds to remember the key.
ENQUEUE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then
  redis.call('XADD', KEYS[2], '*', 'event', ARGV[1])
  return 1
end
return 0
"""


class RedisIntake:
    """Accepts events into the stream and pumps them into the database queue."""

    def __init__(self, url: str, queue: InboundQueue, consumer: str, retention_days: float,
                 claim_idle_seconds: float) -> None:
        import redis  # noqa: PLC0415 - only needed when Redis is configured

        self._redis = redis.Redis.from_url(url, socket_timeout=BLOCK_MS / 1000 + 5)
        self._enqueue: Any = self._redis.register_script(ENQUEUE)
        self._queue = queue
        self.consumer = consumer
        self._remember = max(1, int(retention_days * 86400))
        self._claim_idle_ms = int(claim_idle_seconds * 1000)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # --- the webhook side -----------------------------------------------------
    def enqueue(self, event: ZaloEvent) -> bool:
        """Queue ``event`` durably in Redis (blocking); False when it was already received."""
        import redis  # noqa: PLC0415

        payload = json.dumps(event.as_payload(), ensure_ascii=False)
        try:
            return bool(self._enqueue(keys=[SEEN_PREFIX + event.dedup_key, STREAM],
                                      args=[payload, self._remember]))
        except redis.RedisError as error:
            raise QueueUnavailableError(type(error).__name__) from error

    # --- the pump -------------------------------------------------------------
    def ensure_group(self) -> None:
        """Create the stream and the consumer group if missing (every replica may try)."""
        import redis  # noqa: PLC0415

        try:
            self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    def move(self, block_ms: int = BLOCK_MS) -> int:
        """Move abandoned, then new, entries into the database queue; returns how many.

        Blocking (up to ``block_ms`` waiting for new entries): run it in a thread.
        """
        entries = self._abandoned()
        if not entries:
            answer: Any = self._redis.xreadgroup(GROUP, self.consumer, {STREAM: ">"}, count=BATCH,
                                            block=block_ms)
            entries = answer[0][1] if answer else []
        for entry_id, fields in entries:
            self._store(fields)
            self._redis.xack(STREAM, GROUP, entry_id)
            self._redis.xdel(STREAM, entry_id)
        return len(entries)

    def _abandoned(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        """Entries another consumer took but did not acknowledge within the lease."""
        answer = self._redis.xautoclaim(STREAM, GROUP, self.consumer, self._claim_idle_ms,
                                        start_id="0-0", count=BATCH)
        entries = [(entry_id, fields) for entry_id, fields in answer[1] if fields]
        if entries:
            log.warning("zalo: took over %d events a stopped replica had not stored",
                        len(entries))
        return entries

    def _store(self, fields: dict[bytes, bytes]) -> None:
        event = ZaloEvent.from_payload(json.loads(fields[b"event"]))
        self._queue.enqueue(event)  # ignores an event already stored (a redelivery)

    async def start(self, stored: Callable[[], None], executor: Executor) -> None:
        """Start the pump; ``stored`` is called after events reached the database."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(executor, self.ensure_group)
        self._stopping = False
        self._task = asyncio.create_task(self._pump(stored, executor), name="zalo-redis-pump")

    async def _pump(self, stored: Callable[[], None], executor: Executor) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            try:
                if await loop.run_in_executor(executor, self.move):
                    stored()
            except Exception:
                log.exception("zalo: moving events from Redis failed")
                await asyncio.sleep(ERROR_PAUSE_S)

    async def stop(self) -> None:
        """Stop the pump (an entry being moved is finished first) and close the connection."""
        self._stopping = True
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, BLOCK_MS / 1000 + 10)
            self._task = None
        self._redis.close()
