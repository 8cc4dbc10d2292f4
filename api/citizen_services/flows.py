"""The citizen services in the conversation loop: booking and status lookup before Rasa.

``CitizenServices.handle`` sees each message *before* it is masked and sent to
Rasa, because the two things these services need are exactly what masking
removes: the phone number of a booking and the application code of a lookup.
It answers the message itself (returns a :class:`ServiceTurn`) or returns None
and the message goes on to Rasa or degraded mode as usual. Its state (waiting
for a name and phone, or for a code) lives in the conversation's ``topic``
under ``service``. ``decorate`` adds the booking button under procedure answers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.templates import Button, DomainTemplates, Reply
from api.appointments.contact import ContactProtector
from api.appointments.models import ensure_tables
from api.appointments.service import AppointmentService
from api.citizen_services.booking_chat import (
    INTENT_BOOK,
    INTENT_DAY,
    INTENT_SLOT,
    STEP_CONTACT,
    BookingChat,
    ServiceTurn,
    payload,
)
from api.citizen_services.english import EnglishDesk
from api.citizen_services.settings import CitizenServicesSettings
from api.citizen_services.status import (
    STATUS_IN_PROGRESS,
    STATUS_NEEDS_MORE,
    STATUS_READY,
    STATUS_RECEIVED,
    CodeRecognizer,
    HttpStatusConnector,
    StatusConnector,
    StatusUnavailableError,
    local_date,
    masked_code,
)
from api.config import AppSettings
from api.db_models import TurnRow
from api.degraded import parse_payload
from knowledge_base.db import utcnow
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import fold, normalize

logger = logging.getLogger(__name__)
TRIGGERS_FILE = Path(__file__).with_name("triggers.yml")
INTENT_STATUS = "ask_application_status"
INTENT_LOOKUP = "check_application_status"
INTENT_ENGLISH = "ask_in_english"
STATE_KEY = "service"
LANGUAGE_KEY = "language"
STATUS_RESPONSES = {STATUS_RECEIVED: "utter_status_received",
                    STATUS_IN_PROGRESS: "utter_status_in_progress",
                    STATUS_NEEDS_MORE: "utter_status_needs_more",
                    STATUS_READY: "utter_status_ready"}
MAX_CONTACT_WORDS = 12  # longer messages without a phone are questions, not contacts


def _folded(text: str) -> str:
    return f" {fold(normalize(text))} "


class Triggers:
    """Phrases that start a service, matched without diacritics (``triggers.yml``).

    A phrase may have gaps written ``…``: "hồ sơ … đến đâu" matches "hồ sơ của
    tôi nộp tuần trước giờ đến đâu rồi" (its parts in this order).
    """

    def __init__(self, data: dict[str, list[str]]) -> None:
        self.phrases = {name: [[_folded(part) for part in p.split("…")] for p in items]
                        for name, items in data.items() if name != "weekdays"}
        self.weekdays = list(data.get("weekdays") or [])

    @classmethod
    def load(cls, path: Path = TRIGGERS_FILE) -> Triggers:
        """Read the trigger phrases."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def matches(self, name: str, text: str) -> bool:
        """Whether ``text`` contains one of the phrases of ``name``."""
        folded = _folded(text)
        return any(_in_order(parts, folded) for parts in self.phrases.get(name, []))


def _in_order(parts: list[str], text: str) -> bool:
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part) - 1  # parts share the space between them
    return True


class CitizenServices:
    """Runs the booking and status steps for the conversation service."""

    def __init__(self, settings: CitizenServicesSettings, kb: KnowledgeBase,
                 sessions: sessionmaker, booking: BookingChat, triggers: Triggers,
                 templates: DomainTemplates, connector: StatusConnector | None) -> None:
        self.settings = settings
        self.kb = kb
        self.sessions = sessions
        self.booking = booking
        self.triggers = triggers
        self.templates = templates
        self.connector = connector
        self.codes = CodeRecognizer(settings.code_patterns)
        self.english = EnglishDesk.load()

    @classmethod
    def build(cls, kb: KnowledgeBase, templates: DomainTemplates,
              appointments: AppointmentService, base_url: str,
              settings: CitizenServicesSettings | None = None) -> CitizenServices:
        """Wire the services from settings (the status connector only with a URL)."""
        settings = settings or CitizenServicesSettings()
        triggers = Triggers.load()
        connector = (HttpStatusConnector(settings.status_url, settings.status_timeout)
                     if settings.status_url else None)
        booking = BookingChat(kb, appointments, templates, triggers.weekdays, base_url)
        return cls(settings, kb, kb.store.session, booking, triggers, templates, connector)

    def mask(self, text: str) -> str:
        """Mask the configured application-code formats too (turns and logs)."""
        return self.codes.mask(text)

    # --- routing ----------------------------------------------------------------
    async def handle(self, conversation_id: int, sender: str, text: str,
                     topic: dict[str, Any]) -> ServiceTurn | None:
        """Answer a service message, or None to let the bot answer it."""
        state = dict(topic.get(STATE_KEY) or {})
        code = None if parse_payload(text) or state.get("step") == STEP_CONTACT \
            else self.codes.find(text)
        if code:
            return await self.lookup(conversation_id, code)
        return await asyncio.to_thread(self._step, sender, text, topic, state)

    def _step(self, sender: str, text: str, topic: dict[str, Any],
              state: dict[str, Any]) -> ServiceTurn | None:
        """The booking steps and the service triggers (database work: in a thread)."""
        parsed = parse_payload(text)
        if parsed:
            return self._button(parsed[0], parsed[1], topic)
        if state.get("step") == STEP_CONTACT:
            if self.triggers.matches("stop", text):
                return ServiceTurn([Reply("utter_appointment_stopped")], "stop", "answer")
            if len(text.split()) <= MAX_CONTACT_WORDS or any(ch.isdigit() for ch in text):
                return self.booking.contact(sender, text, state)
        if self.triggers.matches("cancel_booking", text):
            return self.booking.cancel(text)
        if self.triggers.matches("status", text):
            return ServiceTurn([Reply("utter_status_ask_code")], INTENT_STATUS, "clarify")
        if self.triggers.matches("booking", text):
            return self.booking.start(topic.get("procedure_code"))
        if self.english.is_english(text):
            return self._english(text)
        return None

    def _english(self, text: str) -> ServiceTurn | None:
        """An English summary or what the assistant does; None: Vietnamese answer + note."""
        office = self.kb.office_info()
        for entry in self.english.matches(text):  # the best one the catalog holds
            texts = self.english.answer(self.kb, entry, office)
            if texts:
                return self._english_answer(entry.code, texts)
        if self.english.is_greeting(text):
            return ServiceTurn([], INTENT_ENGLISH, "chitchat", language="en", messages=[
                {"text": t, "buttons": []} for t in self.english.capabilities(office)])
        return None

    def _english_answer(self, code: str, texts: list[str]) -> ServiceTurn:
        """The English summary messages, the booking button under the last."""
        button = Button(self.english.text("booking_button"),
                        payload(INTENT_BOOK, procedure_code=code))
        messages: list[dict[str, Any]] = [{"text": t, "buttons": []} for t in texts]
        messages[-1]["buttons"] = [button.as_dict()]
        return ServiceTurn([], INTENT_ENGLISH, "answer", code, messages=messages, language="en")

    def _button(self, intent: str, entities: dict[str, str],
                topic: dict[str, Any]) -> ServiceTurn | None:
        procedure = entities.get("procedure_code") or topic.get("procedure_code")
        if intent == INTENT_BOOK:
            return self.booking.start(procedure)
        if intent == INTENT_DAY and procedure:
            return self.booking.day(procedure, entities.get("day", ""))
        if intent == INTENT_SLOT and procedure:
            return self.booking.slot(procedure, entities.get("start", ""))
        return None

    def decorate(self, replies: list[dict[str, Any]], turn: dict[str, Any],
                 text: str = "") -> str | None:
        """Add the booking button under procedure answers; for English, the note and officer.

        Returns the conversation's language when the message was English ("en").
        """
        english = self.english.is_english(text) if text else False
        procedure = turn.get("procedure")
        if turn.get("decision") == "answer" and procedure and replies:
            title = (self.english.text("booking_button") if english
                     else self.templates.text("utter_appointment_button"))
            button = Button(title, payload(INTENT_BOOK, procedure_code=str(procedure)))
            replies[-1].setdefault("buttons", []).append(button.as_dict())
        if not english:
            return None
        officer = Button(self.english.text("officer_button"), "/request_human")
        replies.insert(0, {"text": " ".join(self.english.text("vietnamese_only").split()),
                           "buttons": []})
        replies[-1].setdefault("buttons", []).append(officer.as_dict())
        return "en"

    # --- status lookup ------------------------------------------------------------
    async def lookup(self, conversation_id: int, code: str) -> ServiceTurn:
        """Look the code up and answer in plain Vietnamese; never raises."""
        office = await asyncio.to_thread(self.kb.office_info)
        values = {**office, "status_portal_url": self.settings.status_portal_url,
                  "code_masked": masked_code(code)}
        if self.connector is None:
            return ServiceTurn([Reply("utter_status_not_connected", values)], INTENT_LOOKUP,
                               "answer")
        made = await asyncio.to_thread(self._lookups_last_hour, conversation_id)
        if made >= self.settings.status_lookups_per_hour:
            return ServiceTurn([Reply("utter_status_too_many", values)], INTENT_LOOKUP,
                               "limited")
        try:
            found = await self.connector.lookup(code)
        except StatusUnavailableError as error:
            logger.warning("status lookup unavailable (%s)", error.reason)
            return ServiceTurn([Reply("utter_status_unavailable", values)], INTENT_LOOKUP,
                               "status_unavailable")
        if found is None:
            return ServiceTurn([Reply("utter_status_unknown_code", values)], INTENT_LOOKUP,
                               "status_unknown")
        note = self.templates.text("utter_status_note", note=found.note) if found.note else ""
        values.update(status=found.status, received_at=local_date(found.received_at),
                      due_at=local_date(found.due_at) or "—", note=note,
                      agency=found.agency or office.get("office_name", ""))
        response = STATUS_RESPONSES.get(found.status, "utter_status_other")
        return ServiceTurn([Reply(response, values)], INTENT_LOOKUP, "status_found")

    def _lookups_last_hour(self, conversation_id: int) -> int:
        """Lookups this conversation made in the last hour (from the turn log)."""
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(TurnRow).where(
                TurnRow.conversation_id == conversation_id, TurnRow.intent == INTENT_LOOKUP,
                TurnRow.decision != "limited",
                TurnRow.at >= utcnow() - timedelta(hours=1))) or 0


def build_citizen_services(app_settings: AppSettings, kb: KnowledgeBase,
                           templates: DomainTemplates) -> CitizenServices | None:
    """The app's citizen services; None (logged) if they cannot start: the bot still answers."""
    try:
        ensure_tables(kb.store.engine)
        appointments = AppointmentService(kb.store.session,
                                          ContactProtector.from_settings(app_settings))
        return CitizenServices.build(kb, templates, appointments, app_settings.base_url)
    except Exception:  # noqa: BLE001 - answers matter more than the extra services
        logger.exception("citizen services (booking, status lookup) could not start")
        return None
