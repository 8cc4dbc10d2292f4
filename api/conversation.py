"""The conversation loop every channel uses: ``ConversationService.handle``.

One call = one citizen message: it is masked, routed to Rasa (or answered in
degraded mode from the knowledge base when Rasa is unreachable), and stored
as a turn with the intent, procedure, confidence and decision the actions
reported. While a staff member owns the conversation the bot stays silent.
Messages of one sender are handled one at a time, in order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.dialogue import DialogueState
from actions.templates import DomainTemplates, Reply
from api.citizen_services.booking_chat import ServiceTurn
from api.citizen_services.flows import LANGUAGE_KEY, CitizenServices
from api.citizen_services.flows import STATE_KEY as SERVICE_STATE_KEY
from api.db_models import (
    OWNER_BOT,
    OWNER_WAITING,
    STAFF_PREFIX,
    ConversationRow,
    RatingRow,
    TurnRow,
)
from api.degraded import DegradedResponder
from api.masking import is_payload, mask_pii
from api.pii import PiiVault
from api.rasa_client import RasaClient, RasaReply, RasaUnavailableError
from api.schemas import ButtonOut, OutMessage
from knowledge_base.db import utcnow

logger = logging.getLogger(__name__)


@dataclass
class TurnRecord:
    """What gets stored about one turn."""

    replies: list[dict[str, Any]]
    turn: dict[str, Any] = field(default_factory=dict)
    handoff_reason: str | None = None
    rating: int | None = None
    source: str = "rasa"
    topic: dict[str, Any] | None = None
    error: bool = False


@dataclass
class HandledTurn:
    """The replies of one turn and the conversation's state after it."""

    messages: list[OutMessage]
    owner: str = OWNER_BOT
    degraded: bool = False
    language: str = "vi"


class SenderLocks:
    """One asyncio lock per sender, dropped when nobody waits on it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        """Hold ``key``'s lock for the duration of the block."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] <= 0:
                del self._users[key]
                self._locks.pop(key, None)


def _to_out(message: dict[str, Any]) -> OutMessage:
    return OutMessage(text=message.get("text", ""),
                      buttons=[ButtonOut(**b) for b in message.get("buttons", [])])


class ConversationService:
    """Routes citizen messages to Rasa or degraded mode and keeps the conversation log."""

    def __init__(self, sessions: sessionmaker, rasa: RasaClient, degraded: DegradedResponder,
                 templates: DomainTemplates, pii: PiiVault | None = None,
                 services: CitizenServices | None = None) -> None:
        self.sessions = sessions
        self.services = services  # booking and status lookup, before masking and Rasa
        self.pii = pii  # keeps encrypted originals of messages masking changed
        self.rasa = rasa
        self.degraded = degraded
        self.templates = templates
        self._locks = SenderLocks()

    async def handle(self, channel: str, user_id: str, text: str) -> list[OutMessage]:
        """Answer one citizen message; never raises (errors become a polite reply)."""
        return (await self.handle_turn(channel, user_id, text)).messages

    async def handle_turn(self, channel: str, user_id: str, text: str) -> HandledTurn:
        """Like :meth:`handle`, also telling who owns the conversation and if Rasa was used."""
        sender = f"{channel}:{user_id}"
        # application codes first (their own placeholder), then every number, payload-shaped
        # text too: anyone can type one
        masked = mask_pii(self.services.mask(text) if self.services is not None else text)
        started = time.perf_counter()
        async with self._locks.hold(sender):
            try:
                conversation = await asyncio.to_thread(self._conversation, sender, channel, user_id)
                if conversation.owner.startswith(STAFF_PREFIX):
                    record = TurnRecord(replies=[], source="silent")
                else:
                    record = await self._serve(conversation, sender, channel, text, masked)
            except Exception:  # noqa: BLE001 - a citizen never sees a crash
                logger.exception("conversation %s failed", channel)
                record = self._error_record()
            elapsed = (time.perf_counter() - started) * 1000
            owner = OWNER_BOT
            try:
                owner = await asyncio.to_thread(self._store, sender, masked, record, elapsed,
                                                text if masked != text else None)
            except Exception:  # noqa: BLE001
                logger.exception("could not store a turn of a %s conversation", channel)
        return HandledTurn([_to_out(m) for m in record.replies], owner,
                           record.source == "degraded",
                           (record.topic or {}).get(LANGUAGE_KEY) or "vi")

    async def owner(self, channel: str, user_id: str) -> str:
        """Who owns the conversation now: bot, waiting or staff:<name>."""
        return await asyncio.to_thread(self._owner, f"{channel}:{user_id}")

    # --- routing ----------------------------------------------------------------
    async def _serve(self, conversation: ConversationRow, sender: str, channel: str,
                     text: str, masked: str) -> TurnRecord:
        """Citizen services first (they need the unmasked text), else the bot."""
        topic = dict(conversation.topic or {})
        if self.services is None:
            return await self._answer(sender, channel, masked, topic)
        turn = await self.services.handle(conversation.id, sender, text, topic)
        if turn is not None:
            return self._from_service(turn, topic, is_payload(text))
        topic.pop(SERVICE_STATE_KEY, None)
        record = await self._answer(sender, channel, masked, topic)
        language = self.services.decorate(record.replies, record.turn, text)
        record.topic = {**(record.topic if record.topic is not None else topic),
                        LANGUAGE_KEY: language or "vi"}
        return record

    def _from_service(self, turn: ServiceTurn, topic: dict[str, Any],
                      button: bool) -> TurnRecord:
        new_topic = {k: v for k, v in topic.items() if k != SERVICE_STATE_KEY}
        if turn.state:
            new_topic[SERVICE_STATE_KEY] = turn.state
        kept = topic.get(LANGUAGE_KEY) if button else None  # a button keeps the language
        new_topic[LANGUAGE_KEY] = turn.language or kept or "vi"
        replies = [self._render(r) for r in turn.replies] + turn.messages
        return TurnRecord(replies=replies, source="services",
                          turn={"intent": turn.intent, "procedure": turn.procedure,
                                "confidence": None, "decision": turn.decision},
                          topic=new_topic)

    async def _answer(self, sender: str, channel: str, text: str,
                      topic: dict[str, Any]) -> TurnRecord:
        try:
            reply = await self.rasa.send(sender, text, channel)
            if reply.messages:
                return self._from_rasa(reply, topic)
            logger.warning("rasa returned no message; answering in degraded mode")
        except RasaUnavailableError as error:
            logger.info("degraded mode (%s)", error.reason)
        return await asyncio.to_thread(self._from_degraded, text, topic)

    @staticmethod
    def _from_rasa(reply: RasaReply, topic: dict[str, Any]) -> TurnRecord:
        # Keep the topic in the app too, so degraded mode can continue the conversation.
        procedure = reply.turn.get("procedure")
        new_topic = dict(topic or {})
        if procedure:
            new_topic.update(procedure_code=procedure, case_index=None)
        return TurnRecord(replies=reply.messages, turn=reply.turn,
                          handoff_reason=(reply.handoff or {}).get("reason"),
                          rating=reply.rating, topic=new_topic,
                          error=bool(reply.turn.get("error")))

    def _from_degraded(self, text: str, topic: dict[str, Any]) -> TurnRecord:
        known = {k: v for k, v in (topic or {}).items() if k in DialogueState.__dataclass_fields__}
        outcome = self.degraded.respond(DialogueState(**known), text)
        replies = [self._render(reply) for reply in outcome.replies]
        return TurnRecord(replies=replies, turn=outcome.turn.as_dict(),
                          handoff_reason=outcome.handoff_reason, rating=outcome.rating,
                          source="degraded", topic=asdict(outcome.state))

    def _render(self, reply: Reply) -> dict[str, Any]:
        rendered = self.templates.render(reply)
        return {"text": rendered.text, "buttons": [b.as_dict() for b in rendered.buttons]}

    def _error_record(self) -> TurnRecord:
        try:
            office = self.degraded.dialogue.kb.office_info()
        except Exception:  # noqa: BLE001
            office = {}
        return TurnRecord(replies=[self._render(Reply("utter_error", office))], source="error",
                          turn={"decision": "not_found"}, error=True)

    # --- storage (runs in a worker thread) ------------------------------------------
    def _conversation(self, sender: str, channel: str, user_id: str) -> ConversationRow:
        with self.sessions.begin() as session:
            row = session.scalar(select(ConversationRow).where(ConversationRow.sender_id == sender))
            if row is None:
                row = ConversationRow(sender_id=sender, channel=channel, user_id=user_id,
                                      owner=OWNER_BOT, topic={})
                session.add(row)
                session.flush()
            return row

    def _owner(self, sender: str) -> str:
        with self.sessions() as session:
            owner = session.scalar(select(ConversationRow.owner)
                                   .where(ConversationRow.sender_id == sender))
            return owner or OWNER_BOT

    def _store(self, sender: str, text: str, record: TurnRecord, elapsed_ms: float,
               original: str | None = None) -> str:
        turn = record.turn
        with self.sessions.begin() as session:
            row = session.scalar(select(ConversationRow).where(ConversationRow.sender_id == sender))
            if row is None:
                return OWNER_BOT
            turn_row = TurnRow(
                conversation_id=row.id, text=text, intent=turn.get("intent"),
                procedure=turn.get("procedure"), confidence=turn.get("confidence"),
                decision=turn.get("decision"), replies=record.replies, source=record.source,
                latency_ms=round(elapsed_ms, 1), error=record.error)
            session.add(turn_row)
            if original is not None and self.pii is not None and self.pii.enabled:
                session.flush()  # the turn's id links the encrypted original
                self.pii.keep(session, turn_row.id, row.id, original)
            if record.rating is not None:
                session.add(RatingRow(conversation_id=row.id, score=record.rating))
            if record.handoff_reason and row.owner == OWNER_BOT:
                row.owner = OWNER_WAITING
                row.handoff_reason = record.handoff_reason
            if record.topic is not None:
                row.topic = record.topic
            row.updated_at = utcnow()
            return row.owner
