"""What the channel does with one queued event: decide the replies, then send them.

Deciding runs the conversation loop (the same one the web widget uses, sender
namespaced as ``zalo:<user id>`` by the loop) or renders one of the channel's
own texts; the result is fitted into the free-reply window and written to the
outbox in one step. Sending then goes through the outbox, so after a crash
only the unsent parts are sent again.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime, timezone
from functools import partial
from typing import Any, TypeVar

from api.channels.zalo.client import WINDOW_ERRORS, ZaloApiError, ZaloClient
from api.channels.zalo.events import EventKind, ZaloEvent
from api.channels.zalo.formatting import Part, plan_for_window, to_parts
from api.channels.zalo.models import ZaloInboundRow
from api.channels.zalo.queue import InboundQueue
from api.channels.zalo.settings import ZaloSettings
from api.channels.zalo.texts import ChannelTexts
from api.channels.zalo.tokens import TokenStore
from api.channels.zalo.users import (
    CHANNEL,
    FOLLOWUP_REPLY_LIMIT,
    FOLLOWUP_SEND_FAILED,
    UserStates,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 3

Handler = Callable[[str, str, str], Any]
OfficeInfo = Callable[[], dict[str, str]]


class EventProcessor:
    """Decides and sends the replies to one citizen's events, in order."""

    def __init__(self, settings: ZaloSettings, queue: InboundQueue, users: UserStates,
                 tokens: TokenStore, client: ZaloClient, texts: ChannelTexts, handler: Handler,
                 office_info: OfficeInfo | None, executor: Executor) -> None:
        self._settings = settings
        self._queue = queue
        self._users = users
        self._tokens = tokens
        self._client = client
        self._texts = texts
        self._handler = handler
        self._office_info = office_info
        self._executor = executor

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args))

    # --- deciding -----------------------------------------------------------
    async def _office(self) -> dict[str, str]:
        if self._office_info is None:
            return {}
        try:
            return dict(await self._db(self._office_info))
        except Exception:  # office info only decorates the text
            log.warning("zalo: office info unavailable", exc_info=True)
            return {}

    async def _own_text(self, name: str) -> list[Part]:
        message = self._texts.render(name, await self._office())
        return self._parts([message])

    def _parts(self, messages: Sequence[Any]) -> list[Part]:
        more = self._texts.render("more_options").text
        return to_parts(messages, self._settings.max_message_chars, self._settings.max_buttons,
                        more)

    async def _converse(self, user_id: str, text: str) -> list[Part]:
        if inspect.iscoroutinefunction(self._handler):
            replies = await self._handler(CHANNEL, user_id, text)
        else:
            replies = await self._db(self._handler, CHANNEL, user_id, text)
            if inspect.isawaitable(replies):
                replies = await replies
        return self._parts(list(replies or []))

    async def decide(self, event: ZaloEvent) -> tuple[list[Part], str]:
        """Return the replies to ``event`` and a short outcome label for the log."""
        user = event.user_id
        if event.kind is EventKind.STAFF_ECHO:
            await self._db(self._users.staff_answered, user, event.admin_id or "")
            return [], "staff_takeover"
        if event.kind is EventKind.UNFOLLOW:
            await self._db(self._users.unfollowed, user)
            return [], "closed"
        await self._db(self._users.citizen_wrote, user, _event_time(event))
        silenced = await self._db(self._users.silenced, user)
        if event.kind is EventKind.TEXT:
            # While staff answer, the loop still records the turn (it stays silent itself).
            parts = await self._converse(user, event.text)
            if silenced:
                return [], "silent_staff"
            return parts, "answered" if parts else "silent"
        if silenced:
            return [], "silent_staff"
        if event.kind is EventKind.FOLLOW:
            return await self._own_text("follow"), "greeted"
        return await self._own_text("non_text"), "non_text"

    async def plan(self, row: ZaloInboundRow) -> None:
        """Decide the replies and write them to the outbox (held ones past the window)."""
        event = ZaloEvent.from_payload(row.event)
        try:
            parts, outcome = await self.decide(event)
        except Exception:
            attempts = row.attempts + 1
            log.exception("zalo: handling event %d failed (attempt %d)", row.id, attempts)
            if attempts < MAX_ATTEMPTS:
                await self._db(self._queue.count_attempt, row.id)
                raise
            parts, outcome = await self._own_text("error"), "error"
        if not parts:
            await self._db(self._queue.plan, row.id, [], [], outcome)
            return
        window = await self._db(self._users.window, event.user_id)
        fitted = plan_for_window(parts, window.remaining, self._settings.max_message_chars,
                                 self._settings.pack_margin)
        await self._db(self._queue.plan, row.id, [p.body() for p in fitted.send],
                       [p.body() for p in fitted.held], outcome)
        if fitted.packed:
            log.info("zalo: packed a reply near the free-reply limit (%d left)", window.remaining)
        if fitted.held:
            log.warning("zalo: %d reply parts held (free replies used up); staff to follow up",
                        len(fitted.held))
            await self._db(self._users.flag_followup, event.user_id, FOLLOWUP_REPLY_LIMIT)

    # --- sending ------------------------------------------------------------
    async def send(self, user_id: str, message: dict[str, Any]) -> str | None:
        """Send one message now (refreshing the token if needed); counts against the window."""
        result = await self._client.send(user_id, message, self._tokens.access_token,
                                         self._tokens.refresh)
        await self._db(self._users.count_reply, user_id)
        return result.message_id

    async def deliver(self, inbound_id: int, user_id: str) -> int:
        """Send the event's unsent replies in order; failures are recorded, not dropped."""
        failures = 0
        for item in await self._db(self._queue.unsent, inbound_id):
            try:
                message_id = await self.send(user_id, item.body)
            except ZaloApiError as exc:
                failures += 1
                log.error("zalo: reply %d not delivered (code %d: %s)", item.id, exc.code,
                          exc.message)
                await self._db(self._queue.mark_failed, item.id, exc.code, exc.message)
                reason = FOLLOWUP_REPLY_LIMIT if exc.code in WINDOW_ERRORS \
                    else FOLLOWUP_SEND_FAILED
                await self._db(self._users.flag_followup, user_id, reason)
                continue
            await self._db(self._queue.mark_sent, item.id, message_id)
        return failures

    async def process(self, row: ZaloInboundRow) -> None:
        """Plan (once) and deliver one event, then mark it done."""
        if not row.planned:
            await self.plan(row)
        failures = await self.deliver(row.id, row.user_id)
        await self._db(self._queue.finish, row.id, None,
                       f"{failures} replies not delivered" if failures else None)


def _event_time(event: ZaloEvent) -> datetime | None:
    if not event.timestamp_ms:
        return None
    try:
        return datetime.fromtimestamp(event.timestamp_ms / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None

