"""Booking, cancelling and moving appointments without ever overbooking a slot.

Every change runs in one database transaction that first *locks* the rows it
counts against (see :mod:`api.appointments.models`): the citizen's phone
(at most ``MAX_ACTIVE_PER_PHONE`` upcoming bookings) and the slot (at most
``capacity_per_slot``). A repeated submit (same sender, procedure, slot and
phone) returns the first booking. Codes are random (``secrets``), 8 characters
from a 31-letter alphabet, so they cannot be guessed or enumerated.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.appointments.contact import (
    ContactProtector,
    InvalidContactError,
    mask_phone,
    normalize_name,
    normalize_phone,
)
from api.appointments.errors import AppointmentError
from api.appointments.models import (
    STATUS_BOOKED,
    STATUS_CANCELLED,
    AppointmentLockRow,
    AppointmentRow,
    AppointmentSettingsRow,
)
from api.appointments.schedule import (
    SLOT_KEY_FORMAT,
    AppointmentSettings,
    Slot,
    day_slots,
    find_slot,
    now_local,
    slot_from_key,
)
from knowledge_base.db import utcnow
from knowledge_base.store import audit

logger = logging.getLogger(__name__)
MAX_ACTIVE_PER_PHONE = 2
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ2345679"
CODE_PREFIX = "LH-"
CODE_LENGTH = 8
RETRIES = 3


@dataclass(frozen=True)
class BookingRequest:
    """A citizen's booking as posted (validated by :meth:`AppointmentService.book`)."""

    sender_id: str
    procedure: str
    start: datetime
    name: str
    phone: str


@dataclass(frozen=True)
class Booking:
    """A booking as the citizen sees it."""

    code: str
    slot: Slot
    procedure: str
    phone_masked: str
    status: str = STATUS_BOOKED
    replay: bool = False

    @classmethod
    def of(cls, row: AppointmentRow, replay: bool = False) -> Booking:
        """The booking of a stored row."""
        return cls(row.code, slot_from_key(row.slot, row.minutes), row.procedure,
                   row.phone_masked, row.status, replay)


def new_code() -> str:
    """``LH-XXXX-XXXX``: 31^8 ≈ 8.5e11 codes drawn with ``secrets``."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{CODE_PREFIX}{chars[:4]}-{chars[4:]}"


def _lock(session: Session, key: str) -> None:
    """Create the lock row if missing, then UPDATE it: held until the transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(AppointmentLockRow).values(key=key, touched=0)
                    .on_conflict_do_nothing(index_elements=["key"]))
    session.execute(update(AppointmentLockRow).where(AppointmentLockRow.key == key)
                    .values(touched=AppointmentLockRow.touched + 1))


def _now_key(now: datetime | None) -> str:
    return (now or now_local()).strftime(SLOT_KEY_FORMAT)


class AppointmentService:
    """Settings, free places and the citizen's bookings."""

    def __init__(self, sessions: sessionmaker, protector: ContactProtector) -> None:
        self.sessions = sessions
        self.protector = protector

    # --- settings ---------------------------------------------------------------
    def settings(self) -> AppointmentSettings:
        """The saved settings, or the defaults."""
        with self.sessions() as session:
            row = session.get(AppointmentSettingsRow, 1)
            return AppointmentSettings.model_validate(row.data) if row else AppointmentSettings()

    def save_settings(self, settings: AppointmentSettings, actor: str) -> AppointmentSettings:
        """Replace the settings (audited); existing bookings are kept as they are."""
        data = settings.model_dump(mode="json")
        with self.sessions.begin() as session:
            row = session.get(AppointmentSettingsRow, 1)
            before = row.data if row else None
            if row is None:
                session.add(AppointmentSettingsRow(id=1, data=data, updated_by=actor))
            else:
                row.data, row.updated_by, row.updated_at = data, actor, utcnow()
            audit(session, actor, "update", "appointment_settings", "1", before, data)
        return settings

    # --- free places ------------------------------------------------------------
    def free_places(self, day: date, now: datetime | None = None) -> list[tuple[Slot, int]]:
        """Each bookable slot of ``day`` with its free places (none outside the window)."""
        settings = self.settings()
        slots = [s for s in day_slots(settings, day, now) if find_slot(settings, s.start, now)]
        if not slots:
            return []
        with self.sessions() as session:
            taken = dict(session.execute(
                select(AppointmentRow.slot, func.count()).where(
                    AppointmentRow.day == day.isoformat(),
                    AppointmentRow.status != STATUS_CANCELLED)
                .group_by(AppointmentRow.slot)).all())
        return [(s, max(0, settings.capacity_per_slot - taken.get(s.key, 0))) for s in slots]

    # --- booking ----------------------------------------------------------------
    def book(self, request: BookingRequest, now: datetime | None = None) -> Booking:
        """Book a place (or return the same booking for a repeated submit); 409 when full."""
        settings = self.settings()
        slot = find_slot(settings, request.start, now)
        if slot is None:
            raise AppointmentError(422, "slot_invalid")
        phone, name = self._contact(request.phone, request.name)
        phone_hash = self.protector.phone_hash(phone)
        request_key = self.protector.digest(request.sender_id, request.procedure, slot.key, phone)
        for _ in range(RETRIES):
            try:
                with self.sessions.begin() as session:
                    return self._book_locked(session, settings, slot, request, name, phone,
                                             phone_hash, request_key, now)
            except IntegrityError:  # the same request raced us (or a code collided): retry
                logger.info("booking raced another transaction; retrying")
        raise AppointmentError(409, "slot_full")

    def _book_locked(self, session: Session, settings: AppointmentSettings, slot: Slot,
                     request: BookingRequest, name: str, phone: str, phone_hash: str,
                     request_key: str, now: datetime | None) -> Booking:
        _lock(session, f"phone:{phone_hash}")
        existing = session.scalar(select(AppointmentRow)
                                  .where(AppointmentRow.request_key == request_key))
        if existing is not None:
            return Booking.of(existing, replay=True)
        if self._active_for_phone(session, phone_hash, now) >= MAX_ACTIVE_PER_PHONE:
            raise AppointmentError(409, "too_many_bookings", limit=MAX_ACTIVE_PER_PHONE)
        self._claim_place(session, settings, slot)
        row = AppointmentRow(
            code=new_code(), slot=slot.key, day=slot.start.date().isoformat(),
            minutes=settings.slot_minutes, procedure=request.procedure,
            sender_id=request.sender_id, phone_hash=phone_hash, phone_masked=mask_phone(phone),
            contact=self.protector.seal(name, phone), request_key=request_key)
        session.add(row)
        session.flush()
        logger.info("appointment booked for %s at %s (phone %s)", request.procedure, slot.key,
                    row.phone_masked)
        return Booking.of(row)

    def _claim_place(self, session: Session, settings: AppointmentSettings, slot: Slot) -> None:
        """Lock the slot, then count: 409 if no place is left."""
        _lock(session, f"slot:{slot.key}")
        taken = session.scalar(select(func.count()).select_from(AppointmentRow).where(
            AppointmentRow.slot == slot.key, AppointmentRow.status != STATUS_CANCELLED)) or 0
        if taken >= settings.capacity_per_slot:
            raise AppointmentError(409, "slot_full")

    @staticmethod
    def _active_for_phone(session: Session, phone_hash: str, now: datetime | None) -> int:
        return session.scalar(select(func.count()).select_from(AppointmentRow).where(
            AppointmentRow.phone_hash == phone_hash, AppointmentRow.status == STATUS_BOOKED,
            AppointmentRow.slot >= _now_key(now))) or 0

    @staticmethod
    def _contact(phone: str, name: str) -> tuple[str, str]:
        try:
            return normalize_phone(phone), normalize_name(name)
        except InvalidContactError as error:
            raise AppointmentError(422, error.key) from error

    # --- the citizen's own booking ------------------------------------------------
    def _own(self, session: Session, code: str, phone: str) -> AppointmentRow:
        """The booking with ``code`` if ``phone`` is its phone (404 alike otherwise)."""
        try:
            phone_hash = self.protector.phone_hash(normalize_phone(phone))
        except InvalidContactError as error:
            raise AppointmentError(404, "booking_not_found") from error
        row = session.scalar(select(AppointmentRow).where(AppointmentRow.code == code.upper()))
        if row is None or not hmac.compare_digest(row.phone_hash, phone_hash):
            raise AppointmentError(404, "booking_not_found")
        return row

    def cancel(self, code: str, phone: str) -> None:
        """Cancel (idempotent: cancelling a cancelled booking succeeds)."""
        with self.sessions.begin() as session:
            row = self._own(session, code, phone)
            if row.status == STATUS_CANCELLED:
                return
            if row.status != STATUS_BOOKED:
                raise AppointmentError(409, "booking_closed")
            row.status, row.request_key, row.updated_at = STATUS_CANCELLED, None, utcnow()
        logger.info("appointment cancelled (slot %s)", row.slot)

    def move(self, code: str, phone: str, start: datetime, now: datetime | None = None
             ) -> Booking:
        """Move a booking to another slot with a free place (same code)."""
        settings = self.settings()
        slot = find_slot(settings, start, now)
        if slot is None:
            raise AppointmentError(422, "slot_invalid")
        with self.sessions.begin() as session:
            row = self._own(session, code, phone)
            if row.status != STATUS_BOOKED:
                raise AppointmentError(409, "booking_closed")
            if row.slot == slot.key:
                return Booking.of(row)
            self._claim_place(session, settings, slot)
            contact = self.protector.open(row.contact) or {}
            row.slot, row.day, row.minutes = slot.key, slot.start.date().isoformat(), \
                settings.slot_minutes
            row.request_key = self.protector.digest(row.sender_id, row.procedure, slot.key,
                                                    contact.get("phone", row.code))
            row.updated_at = utcnow()
            session.flush()
            return Booking.of(row)

    def lookup(self, code: str, phone: str) -> Booking:
        """A booking by code and phone (for the chat's "lịch hẹn của tôi")."""
        with self.sessions() as session:
            return Booking.of(self._own(session, code, phone))
