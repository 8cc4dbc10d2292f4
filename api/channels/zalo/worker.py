"""The background worker: one dispatcher, one task per citizen with pending events.

The webhook only stores events and wakes the dispatcher. The dispatcher finds
citizens with pending events that no live worker holds and starts a task for
each (up to ``workers`` at once); the task claims the citizen in the database
and handles that citizen's events one by one in arrival order. A claim is a
lease, renewed after every event, so a crashed process's citizens are picked
up again once its leases expire.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Any, TypeVar

from api.channels.zalo.processor import EventProcessor
from api.channels.zalo.queue import InboundQueue
from api.channels.zalo.settings import ZaloSettings
from api.channels.zalo.tokens import TokenStore

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_DELAY = 1.0
STOP_GRACE = 10.0
TOKEN_CHECK_EVERY = 60.0
PRUNE_EVERY = 3600.0


class Worker:
    """Runs the queue in the app's event loop; ``start``/``stop`` from the lifespan."""

    def __init__(self, settings: ZaloSettings, queue: InboundQueue, processor: EventProcessor,
                 tokens: TokenStore, executor: Executor) -> None:
        self._settings = settings
        self._queue = queue
        self._processor = processor
        self._tokens = tokens
        self._executor = executor
        self._active: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._next_token_check = 0.0
        self._next_prune = 0.0

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args))

    def start(self) -> None:
        """Start the dispatcher in the running event loop."""
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="zalo-dispatcher")

    def wake(self) -> None:
        """Ask the dispatcher to look at the queue now (safe from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        """Stop taking work, let running citizens finish briefly, then give up claims."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        tasks = list(self._active.values())
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self._db(self._queue.release_all)

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._housekeeping()
                await self._dispatch()
            except Exception:
                log.exception("zalo dispatcher: iteration failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.poll_interval)

    async def _dispatch(self) -> None:
        free = self._settings.workers - len(self._active)
        if free <= 0:
            return
        users = await self._db(self._queue.users_with_work, set(self._active), free)
        for user_id in users:
            if not self._stopping:
                self._active[user_id] = asyncio.create_task(self._serve(user_id))

    async def _housekeeping(self) -> None:
        now = time.monotonic()
        if now >= self._next_token_check:
            self._next_token_check = now + TOKEN_CHECK_EVERY
            try:
                await self._tokens.access_token()  # refreshes ahead of expiry
            except Exception as exc:
                log.error("zalo: proactive token refresh failed: %s", exc)
        if now >= self._next_prune:
            self._next_prune = now + PRUNE_EVERY
            pruned = await self._db(self._queue.prune, self._settings.retention_days)
            if pruned:
                log.info("zalo: pruned %d old events", pruned)

    async def _serve(self, user_id: str) -> None:
        claimed = False
        try:
            claimed = await self._db(self._queue.claim, user_id)
            while claimed and not self._stopping:
                row = await self._db(self._queue.next_event, user_id)
                if row is None:
                    break
                try:
                    await self._processor.process(row)
                except Exception:
                    await asyncio.sleep(RETRY_DELAY)
                claimed = await self._db(self._queue.claim, user_id)
        except Exception:
            log.exception("zalo worker: citizen queue failed")
        finally:
            if claimed:
                with contextlib.suppress(Exception):
                    await self._db(self._queue.release, user_id)
            self._active.pop(user_id, None)
            self._wake.set()
