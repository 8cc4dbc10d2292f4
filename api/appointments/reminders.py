"""Zalo reminders the day before an appointment, sent while the free-reply window allows.

Started with the app (``api.main`` runs this module's ``start``/``stop`` with the
app's services, like the Zalo channel's): every ``TTHC_APPOINTMENT_REMINDER_INTERVAL``
seconds it looks for tomorrow's bookings made on Zalo that have no reminder yet. A reminder is sent
only while the citizen's free-reply window is open with a reply left; otherwise it
is tried again next round (the citizen may write again), until the day passes.
Web bookings get no reminder (the widget cannot be reached when closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions.templates import Reply
from api.appointments.models import STATUS_BOOKED, AppointmentRow, ensure_tables
from api.appointments.schedule import now_local, slot_from_key
from api.citizen_services.booking_chat import BookingChat
from api.citizen_services.settings import CitizenServicesSettings
from api.services import Services
from knowledge_base.db import utcnow

logger = logging.getLogger(__name__)
TASK_NAME = "appointment_reminders"
ZALO_PREFIX = "zalo:"


def due_reminders(sessions: sessionmaker) -> list[AppointmentRow]:
    """Tomorrow's Zalo bookings without a reminder."""
    tomorrow = (now_local() + timedelta(days=1)).date().isoformat()
    with sessions() as session:
        return list(session.scalars(select(AppointmentRow).where(
            AppointmentRow.day == tomorrow, AppointmentRow.status == STATUS_BOOKED,
            AppointmentRow.reminded_at.is_(None),
            AppointmentRow.sender_id.startswith(ZALO_PREFIX))))


def mark_reminded(sessions: sessionmaker, booking_id: int) -> None:
    """Remember that the reminder went out (never sent twice)."""
    with sessions.begin() as session:
        row = session.get(AppointmentRow, booking_id)
        if row is not None:
            row.reminded_at = utcnow()


def reminder_text(services: Services, booking: BookingChat, row: AppointmentRow) -> str:
    """The reminder, rendered from the domain response with the booking's details."""
    slot = slot_from_key(row.slot, row.minutes)
    values = {**services.kb.office_info(), "code": row.code,
              "time_label": f"{slot.start:%H:%M}",
              "day_label": booking.day_label(slot.start.date()),
              "procedure_name": booking.procedure_name(row.procedure) or row.procedure,
              "checklist_url": f"{booking.base_url}/thu-tuc/{row.procedure}"}
    return services.templates.render(Reply("utter_appointment_reminder", values)).text


async def remind_due(services: Services) -> int:
    """Send the due reminders the windows allow; return how many were sent."""
    channel = services.zalo
    citizen = services.conversation.services
    if channel is None or not channel.running or citizen is None:
        return 0
    sessions = services.kb.store.session
    sent = 0
    for row in await asyncio.to_thread(due_reminders, sessions):
        user_id = row.sender_id[len(ZALO_PREFIX):]
        window = await asyncio.to_thread(channel.users.window, user_id)
        if not window.open or window.remaining < 1:
            continue
        text = await asyncio.to_thread(reminder_text, services, citizen.booking, row)
        if await channel.send_text(user_id, text):
            await asyncio.to_thread(mark_reminded, sessions, row.id)
            sent += 1
    if sent:
        logger.info("sent %d appointment reminders on Zalo", sent)
    return sent


async def _loop(services: Services, interval: float) -> None:
    while True:
        try:
            await remind_due(services)
        except Exception:  # noqa: BLE001 - retried next round
            logger.exception("appointment reminders failed")
        await asyncio.sleep(interval)


async def start(services: Services) -> None:
    """Start the reminder loop (after the Zalo channel, which it uses)."""
    ensure_tables(services.engine)
    interval = CitizenServicesSettings().appointment_reminder_interval
    services.reminders = asyncio.create_task(_loop(services, interval), name=TASK_NAME)


async def stop(services: Services) -> None:
    """Stop the reminder loop."""
    task, services.reminders = services.reminders, None
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
