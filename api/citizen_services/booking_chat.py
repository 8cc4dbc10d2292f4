"""The chat's booking steps: day → slot → name and phone → booking code.

Each step is a button (payloads ``/book_appointment``, ``/appointment_day``,
``/appointment_slot``) except the last, a typed message with the name and the
phone number. That message never goes to Rasa (the app masks phones before
Rasa sees a message), so the whole flow runs here, in the app, the same with
or without Rasa. Replies are domain responses (``bot/domain/services.yml``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from actions.templates import Button, DomainTemplates, Reply
from api.appointments.errors import AppointmentError, message
from api.appointments.schedule import Slot, bookable_days
from api.appointments.service import AppointmentService, Booking, BookingRequest
from knowledge_base.errors import NotFoundError
from knowledge_base.service import KnowledgeBase

INTENT_BOOK = "book_appointment"
INTENT_DAY = "appointment_day"
INTENT_SLOT = "appointment_slot"
STEP_CONTACT = "contact"
_PHONE_IN_TEXT = re.compile(r"(?:\+?84|0)(?:[\s.-]?\d){8,10}")
MAX_CONTACT_TRIES = 3


@dataclass
class ServiceTurn:
    """Replies of a service step, what to record, and the service state to keep."""

    replies: list[Reply]
    intent: str
    decision: str
    procedure: str | None = None
    state: dict[str, Any] | None = field(default=None)
    messages: list[dict[str, Any]] = field(default_factory=list)  # already rendered (English)
    language: str | None = None


def payload(intent: str, **entities: str) -> str:
    """A button payload the app (and Rasa) understand."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


class BookingChat:
    """Offers days and slots as buttons and books with the typed name and phone."""

    def __init__(self, kb: KnowledgeBase, appointments: AppointmentService,
                 templates: DomainTemplates, weekdays: list[str], base_url: str) -> None:
        self.kb = kb
        self.appointments = appointments
        self.templates = templates
        self.weekdays = weekdays
        self.base_url = base_url.rstrip("/")

    def day_label(self, day: date) -> str:
        """``Thứ Ba 08/12/2026``: weekday names from ``triggers.yml``."""
        return f"{self.weekdays[day.weekday()]} {day:%d/%m/%Y}"

    def procedure_name(self, code: str) -> str | None:
        """The procedure's name, or None if the catalog has no such code."""
        try:
            return self.kb.procedure(code).name
        except NotFoundError:
            return None

    def start(self, procedure: str | None) -> ServiceTurn:
        """Offer the bookable days for ``procedure`` (or ask which procedure first)."""
        name = self.procedure_name(procedure) if procedure else None
        if procedure is None or name is None:
            return ServiceTurn([Reply("utter_appointment_ask_procedure")], INTENT_BOOK, "clarify")
        office = self.kb.office_info()
        days = bookable_days(self.appointments.settings())
        if not days:
            return ServiceTurn([Reply("utter_appointment_no_days", office)], INTENT_BOOK,
                               "answer", procedure)
        buttons = tuple(Button(self.day_label(d), payload(INTENT_DAY, procedure_code=procedure,
                                                           day=d.isoformat())) for d in days)
        return ServiceTurn([Reply("utter_appointment_pick_day",
                                  {**office, "procedure_name": name}, buttons)],
                           INTENT_BOOK, "answer", procedure)

    def day(self, procedure: str, day_text: str) -> ServiceTurn:
        """Offer the slots of a day that still have places (or other days if it is full)."""
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            return self.start(procedure)
        free = [(slot, n) for slot, n in self.appointments.free_places(day) if n > 0]
        label = self.day_label(day)
        if not free:
            again = self.start(procedure)
            first = again.replies[0]
            again.replies = [Reply("utter_appointment_day_full", {"day_label": label},
                                   first.buttons)] if first.buttons else again.replies
            return again
        buttons = tuple(Button(self.templates.text("utter_appointment_slot_label",
                                                   time_label=self._time_label(slot), free=n),
                               payload(INTENT_SLOT, procedure_code=procedure,
                                       start=slot.start.isoformat()))
                        for slot, n in free)
        return ServiceTurn([Reply("utter_appointment_pick_slot", {"day_label": label}, buttons)],
                           INTENT_DAY, "answer", procedure)

    @staticmethod
    def _time_label(slot: Slot) -> str:
        return f"{slot.start:%H:%M}–{slot.end:%H:%M}"

    def slot(self, procedure: str, start_text: str) -> ServiceTurn:
        """Ask for the name and phone; remember the chosen slot."""
        try:
            start = datetime.fromisoformat(start_text)
        except ValueError:
            return self.start(procedure)
        label = {"time_label": f"{start:%H:%M}", "day_label": self.day_label(start.date())}
        state = {"flow": "booking", "step": STEP_CONTACT, "procedure": procedure,
                 "start": start.isoformat(), "tries": 0}
        return ServiceTurn([Reply("utter_appointment_ask_contact", label)], INTENT_SLOT,
                           "answer", procedure, state)

    def contact(self, sender: str, text: str, state: dict[str, Any]) -> ServiceTurn:
        """Book with the name and phone typed by the citizen."""
        procedure = str(state.get("procedure") or "")
        match = _PHONE_IN_TEXT.search(text)
        if match is None:
            return self._retry(state, "invalid_phone")
        name = (text[:match.start()] + " " + text[match.end():]).strip(" ,.;:-")
        request = BookingRequest(sender, procedure, datetime.fromisoformat(state["start"]),
                                 name, match.group(0))
        try:
            booking = self.appointments.book(request)
        except AppointmentError as error:
            if error.status_code == 422 and error.key in ("invalid_phone", "invalid_name"):
                return self._retry(state, error.key)
            return ServiceTurn([Reply("utter_appointment_not_booked", {"problem": error.detail})]
                               + self.start(procedure).replies, INTENT_SLOT, "not_found",
                               procedure)
        return ServiceTurn([self.receipt(booking)], "give_contact", "answer", procedure)

    def _retry(self, state: dict[str, Any], key: str) -> ServiceTurn:
        tries = int(state.get("tries") or 0) + 1
        if tries >= MAX_CONTACT_TRIES:
            return ServiceTurn([Reply("utter_appointment_stopped")], "give_contact", "not_found")
        return ServiceTurn([Reply("utter_appointment_contact_invalid", {"problem": message(key)})],
                           "give_contact", "clarify", state.get("procedure"),
                           {**state, "tries": tries})

    def receipt(self, booking: Booking) -> Reply:
        """The booking's code, time, place and checklist link."""
        return Reply("utter_appointment_booked", {
            **self.kb.office_info(), "code": booking.code,
            "time_label": self._time_label(booking.slot),
            "day_label": self.day_label(booking.slot.start.date()),
            "procedure_name": self.procedure_name(booking.procedure) or booking.procedure,
            "checklist_url": f"{self.base_url}/thu-tuc/{booking.procedure}",
            "phone_masked": booking.phone_masked})

    def cancel(self, text: str) -> ServiceTurn:
        """"hủy lịch LH-XXXX-XXXX 0912345678": cancel, or explain how."""
        code = re.search(r"LH-[A-Z0-9]{4}-[A-Z0-9]{4}", text.upper())
        phone = _PHONE_IN_TEXT.search(text)
        if not code or not phone:
            return ServiceTurn([Reply("utter_appointment_cancel_how")], "cancel_appointment",
                               "clarify")
        try:
            self.appointments.cancel(code.group(0), phone.group(0))
        except AppointmentError as error:
            return ServiceTurn([Reply("utter_appointment_not_booked", {"problem": error.detail})],
                               "cancel_appointment", "not_found")
        return ServiceTurn([Reply("utter_appointment_cancelled", {"code": code.group(0)})],
                           "cancel_appointment", "answer")
