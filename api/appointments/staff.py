"""The counter staff's side: the day list per slot, check-in / no-show, and analytics.

Staff see the citizen's name and phone (decrypted); viewing a day's list is
audited (entity ``appointment_pii``) at most once per user, day and 15 minutes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from api.appointments.contact import ContactProtector
from api.appointments.errors import AppointmentError
from api.appointments.models import (
    STATUS_BOOKED,
    STATUS_CANCELLED,
    STATUS_CHECKED_IN,
    STATUS_NO_SHOW,
    AppointmentRow,
)
from api.appointments.schedule import AppointmentSettings, day_slots, slot_from_key
from knowledge_base.db import AuditRow, utcnow
from knowledge_base.store import audit

STAFF_STATUSES = (STATUS_BOOKED, STATUS_CHECKED_IN, STATUS_NO_SHOW)
AUDIT_ENTITY = "appointment"
PII_ENTITY = "appointment_pii"
AUDIT_WINDOW = timedelta(minutes=15)


class AppointmentDesk:
    """What the staff console reads and changes."""

    def __init__(self, sessions: sessionmaker, protector: ContactProtector) -> None:
        self.sessions = sessions
        self.protector = protector

    def day_list(self, settings: AppointmentSettings, day: date, viewer: str,
                 procedure_names: dict[str, str]) -> dict[str, Any]:
        """Every slot of ``day`` (opening hours, plus any booked slot) with its bookings."""
        with self.sessions() as session:
            rows = list(session.scalars(select(AppointmentRow).where(
                AppointmentRow.day == day.isoformat(),
                AppointmentRow.status != STATUS_CANCELLED).order_by(AppointmentRow.slot,
                                                                    AppointmentRow.id)))
        by_slot: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_slot[row.slot].append(self._entry(row, procedure_names))
        start_of_day = slot_from_key(f"{day.isoformat()}T00:00", 0).start
        slots = {s.key: s for s in day_slots(settings, day, start_of_day - timedelta(days=1))}
        for row in rows:
            slots.setdefault(row.slot, slot_from_key(row.slot, row.minutes))
        if rows:
            self._record_view(viewer, day.isoformat(), len(rows))
        return {"day": day.isoformat(), "capacity": settings.capacity_per_slot, "slots": [
            {"start": slot.start.isoformat(), "end": slot.end.isoformat(),
             "bookings": by_slot.get(key, [])} for key, slot in sorted(slots.items())]}

    def _record_view(self, viewer: str, day: str, bookings: int) -> None:
        """Audit that ``viewer`` saw the contacts of ``day`` (once per 15 minutes)."""
        with self.sessions.begin() as session:
            recent = session.scalar(select(AuditRow.id).where(
                AuditRow.entity == PII_ENTITY, AuditRow.entity_id == day,
                AuditRow.actor == viewer, AuditRow.at >= utcnow() - AUDIT_WINDOW).limit(1))
            if recent is None:
                audit(session, viewer, "view", PII_ENTITY, day, None, {"bookings": bookings})

    def _entry(self, row: AppointmentRow, names: dict[str, str]) -> dict[str, Any]:
        contact = self.protector.open(row.contact) or {}
        return {"code": row.code, "procedure": row.procedure,
                "procedure_name": names.get(row.procedure, ""), "status": row.status,
                "name": contact.get("name", ""), "phone": contact.get("phone", row.phone_masked)}

    def set_status(self, code: str, status: str, actor: str) -> dict[str, str]:
        """Check in, mark as no-show, or undo (back to booked)."""
        if status not in STAFF_STATUSES:
            raise AppointmentError(422, "invalid_status")
        with self.sessions.begin() as session:
            row = session.scalar(select(AppointmentRow).where(AppointmentRow.code == code))
            if row is None or row.status == STATUS_CANCELLED:
                raise AppointmentError(404, "booking_not_found")
            before = row.status
            row.status, row.updated_at = status, utcnow()
            audit(session, actor, "status", AUDIT_ENTITY, code, {"status": before},
                  {"status": status})
        return {"code": code, "status": status}

    def analytics(self, first: date, last: date) -> dict[str, Any]:
        """Bookings per day by status, and the no-show rate over finished bookings."""
        with self.sessions() as session:
            rows = session.execute(select(AppointmentRow.day, AppointmentRow.status, func.count())
                                   .where(AppointmentRow.day >= first.isoformat(),
                                          AppointmentRow.day <= last.isoformat())
                                   .group_by(AppointmentRow.day, AppointmentRow.status)).all()
        per_day: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
            (STATUS_BOOKED, STATUS_CHECKED_IN, STATUS_NO_SHOW, STATUS_CANCELLED), 0))
        for day, status, count in rows:
            per_day[day][status] = int(count)
        shown = sum(d[STATUS_CHECKED_IN] for d in per_day.values())
        missed = sum(d[STATUS_NO_SHOW] for d in per_day.values())
        return {"per_day": [{"day": day, **counts} for day, counts in sorted(per_day.items())],
                "no_show_rate": round(missed / (shown + missed), 3) if shown + missed else None}
