"""Tables of the counter appointments (same database as the knowledge base).

Capacity is enforced with lock rows: a booking first touches the row of its
slot (and of its phone number) with an ``UPDATE``, which on PostgreSQL takes a
row lock held until commit and on SQLite takes the database's write lock; only
then does it count the bookings already there. Two citizens racing for the last
place are therefore serialised by the database itself, on one process or many.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from knowledge_base.db import Base, create_tables, utcnow

STATUS_BOOKED = "booked"
STATUS_CANCELLED = "cancelled"
STATUS_CHECKED_IN = "checked_in"
STATUS_NO_SHOW = "no_show"
STATUSES = (STATUS_BOOKED, STATUS_CANCELLED, STATUS_CHECKED_IN, STATUS_NO_SHOW)


class AppointmentSettingsRow(Base):
    """The admin's appointment settings (one row, id 1), as JSON."""

    __tablename__ = "appointment_settings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AppointmentLockRow(Base):
    """A row to lock before counting: ``slot:<day>T<hh:mm>`` or ``phone:<hash>``."""

    __tablename__ = "appointment_locks"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    touched: Mapped[int] = mapped_column(Integer, default=0)


class AppointmentRow(Base):
    """One booking. ``slot`` is the local (ward time) start, ``YYYY-MM-DDTHH:MM``.

    ``request_key`` (hash of sender, procedure, slot and phone) is unique while
    the booking is active and cleared on cancel: a repeated submit finds the
    first booking instead of making a second one.
    """

    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    slot: Mapped[str] = mapped_column(String(16), index=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    procedure: Mapped[str] = mapped_column(String(32))
    sender_id: Mapped[str] = mapped_column(String(255))
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str] = mapped_column(String(16))
    contact: Mapped[str] = mapped_column(Text)  # name and phone, Fernet-encrypted JSON
    request_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_BOOKED, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def ensure_tables(engine: Engine) -> None:
    """Create the appointment tables if missing (idempotent, safe across replicas)."""
    create_tables(engine, [AppointmentSettingsRow.__table__,
                           AppointmentLockRow.__table__, AppointmentRow.__table__])
