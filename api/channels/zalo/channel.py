"""The Zalo channel assembled: queue, worker, token store and client, with start/stop.

Build one per process in the app's lifespan (:func:`api.channels.zalo.start`);
the webhook route finds it on the app's services (``Services.zalo``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from cryptography.fernet import MultiFernet
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from api.channels.zalo.client import ZaloApiError, ZaloClient
from api.channels.zalo.events import ZaloEvent
from api.channels.zalo.formatting import Part, split_text
from api.channels.zalo.models import TABLES
from api.channels.zalo.processor import EventProcessor, Handler, OfficeInfo
from api.channels.zalo.queue import DatabaseIntake, EventIntake, InboundQueue
from api.channels.zalo.settings import ZaloSettings, secret
from api.channels.zalo.texts import ChannelTexts
from api.channels.zalo.tokens import TokenStore
from api.channels.zalo.users import UserStates
from api.channels.zalo.worker import Worker
from knowledge_base.db import create_tables as create_schema_tables
from knowledge_base.db import session_factory

log = logging.getLogger(__name__)


def create_tables(engine: Engine) -> None:
    """Create the channel's tables if missing (additive, like every table of the project)."""
    create_schema_tables(engine, TABLES)


class ZaloChannel:
    """Everything the Zalo channel needs in one process."""

    def __init__(self, settings: ZaloSettings, engine: Engine, handler: Handler,
                 office_info: OfficeInfo | None = None, texts: ChannelTexts | None = None,
                 http: httpx.AsyncClient | None = None, redis_url: str = "",
                 cipher: MultiFernet | None = None) -> None:
        self.settings = settings
        create_tables(engine)
        sessions: sessionmaker = session_factory(engine)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._executor = ThreadPoolExecutor(max_workers=settings.workers + 4,
                                            thread_name_prefix="zalo")
        self.client = ZaloClient(settings, http)
        self.queue = InboundQueue(sessions, self.holder, settings.lease_seconds)
        self.intake: EventIntake = DatabaseIntake(self.queue)
        if redis_url:
            from api.channels.zalo.queue_redis import RedisIntake  # noqa: PLC0415

            self.intake = RedisIntake(redis_url, self.queue, self.holder, settings.retention_days,
                                      settings.lease_seconds)
        self.users = UserStates(sessions, settings.free_reply_limit,
                                settings.free_reply_window_hours, settings.staff_takeover_minutes)
        self.tokens = TokenStore(sessions, self.holder, self.client.refresh_tokens,
                                 settings.refresh_margin, settings.refresh_wait, self._executor,
                                 cipher)  # tokens encrypted at rest
        self.processor = EventProcessor(settings, self.queue, self.users, self.tokens,
                                        self.client, texts or ChannelTexts.load(), handler,
                                        office_info, self._executor)
        self.worker = Worker(settings, self.queue, self.processor, self.tokens, self._executor)
        self.running = False

    async def start(self) -> None:
        """Store the configured tokens and start the background worker."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self.tokens.seed,
                                   secret(self.settings.access_token),
                                   secret(self.settings.refresh_token))
        self.worker.start()
        await self.intake.start(self.worker.wake, self._executor)
        self.running = True
        log.info("zalo channel started (%d workers)", self.settings.workers)

    async def stop(self) -> None:
        """Stop the worker (letting running replies finish briefly) and close the client."""
        if self.running:
            self.running = False
            await self.intake.stop()
            await self.worker.stop()
        await self.client.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)
        log.info("zalo channel stopped")

    def accept(self, event: ZaloEvent) -> bool:
        """Durably queue an event (blocking; call from a thread); False for a redelivery."""
        new = self.intake.enqueue(event)
        if new:
            self.worker.wake()
        return new

    async def send_text(self, user_id: str, text: str) -> bool:
        """Send a staff member's text to a citizen now (the support console's Zalo route).

        Returns:
            True when Zalo accepted every part; failures are logged with their code.

        """
        try:
            for piece in split_text(text, self.settings.max_message_chars):
                await self.processor.send(user_id, Part(piece).body())
        except ZaloApiError as exc:
            log.error("zalo: staff message not delivered (code %d: %s)", exc.code, exc.message)
            return False
        return True
