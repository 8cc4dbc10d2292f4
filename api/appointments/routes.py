"""Appointment routes: free slots and bookings (citizens), settings and the day list (staff).

Citizen routes need no account: a booking is found again by its code plus the
phone number it was made with. Admin and support routes use the staff
authentication of the other consoles.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Select, select

from api.appointments.errors import AppointmentError
from api.appointments.models import AppointmentRow
from api.appointments.schedule import AppointmentSettings, bookable_days, now_local
from api.appointments.service import Booking, BookingRequest
from api.appointments.services import Appointments
from api.auth.deps import AdminUser, SupportUser
from api.auth.models import ROLE_ADMIN, ROLE_SUPPORT
from api.deps import AppointmentsDep
from api.routes.admin_console import _guard, _page
from api.schemas import SENDER_ID_PATTERN

CODE_PATTERN = r"^[A-Za-z0-9.\-]{1,32}$"
router = APIRouter(tags=["appointments"])
ProcedureCode = Annotated[str, Query(pattern=CODE_PATTERN)]


class BookingIn(BaseModel):
    """A citizen's booking request."""

    sender_id: str = Field(pattern=SENDER_ID_PATTERN)
    procedure: str = Field(pattern=CODE_PATTERN)
    start: datetime
    name: str = Field(max_length=200)
    phone: str = Field(max_length=32)


class MoveIn(BaseModel):
    """Move a booking: the phone it was made with and the new slot's start."""

    phone: str = Field(max_length=32)
    start: datetime


class StatusIn(BaseModel):
    """A staff member's check-in or no-show."""

    status: str = Field(max_length=16)


def booking_out(booking: Booking) -> dict[str, Any]:
    """The booking as the API answers it."""
    return {"code": booking.code, "start": booking.slot.start.isoformat(),
            "end": booking.slot.end.isoformat(), "procedure": booking.procedure,
            "phone": booking.phone_masked, "status": booking.status,
            "checklist_url": f"/thu-tuc/{booking.procedure}"}


# --- citizens ------------------------------------------------------------------------
@router.get("/api/appointments/days")
def days(procedure: ProcedureCode, appointments: AppointmentsDep) -> dict[str, Any]:
    """The working days open for booking, today included if a slot is still ahead."""
    appointments.procedure_name(procedure)
    settings = appointments.service.settings()
    return {"days": [d.isoformat() for d in bookable_days(settings)]}


@router.get("/api/appointments/slots")
def slots(procedure: ProcedureCode, appointments: AppointmentsDep,
          day: Annotated[date, Query(alias="date")]) -> dict[str, Any]:
    """The slots of a day with their free places (empty on a closed or too distant day)."""
    appointments.procedure_name(procedure)
    return {"slots": [{"start": s.start.isoformat(), "end": s.end.isoformat(), "free": free}
                      for s, free in appointments.service.free_places(day)]}


@router.post("/api/appointments", status_code=201)
def book(body: BookingIn, appointments: AppointmentsDep) -> dict[str, Any]:
    """Book a place; the same request again returns the same booking; 409 when full."""
    appointments.procedure_name(body.procedure)
    booking = appointments.service.book(BookingRequest(
        body.sender_id, body.procedure, body.start, body.name, body.phone))
    return booking_out(booking)


@router.delete("/api/appointments/{code}", status_code=204)
def cancel(code: str, appointments: AppointmentsDep,
           phone: Annotated[str, Query(max_length=32)]) -> Response:
    """Cancel by code and the booking's phone number."""
    appointments.service.cancel(code, phone)
    return Response(status_code=204)


@router.post("/api/appointments/{code}/move")
def move(code: str, body: MoveIn, appointments: AppointmentsDep) -> dict[str, Any]:
    """Move to another slot with a free place (the code stays the same)."""
    return booking_out(appointments.service.move(code, body.phone, body.start))


# --- admins --------------------------------------------------------------------------
@router.get("/api/admin/appointments/settings")
def read_settings(_: AdminUser, appointments: AppointmentsDep) -> AppointmentSettings:
    """The current appointment settings."""
    return appointments.service.settings()


@router.put("/api/admin/appointments/settings")
def save_settings(user: AdminUser, appointments: AppointmentsDep,
                  body: Annotated[dict[str, Any], Body()]) -> AppointmentSettings:
    """Change some or all settings (fields not sent keep their value)."""
    current = appointments.service.settings().model_dump(mode="json")
    try:
        settings = AppointmentSettings.model_validate({**current, **body})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in error.errors())
        raise AppointmentError(422, "settings_invalid", problems=problems) from error
    return appointments.service.save_settings(settings, user.username)


@router.get("/api/admin/appointments/analytics")
def analytics(_: AdminUser, appointments: AppointmentsDep,
              days_back: Annotated[int, Query(alias="days", ge=1, le=366)] = 30,
              ) -> dict[str, Any]:
    """Bookings per day (by status) over the last days and the coming ones, no-show rate."""
    today = now_local().date()
    return appointments.desk.analytics(today - timedelta(days=days_back),
                                       today + timedelta(days=31))


# --- support staff -------------------------------------------------------------------
@router.get("/appointments", include_in_schema=False)
def appointments_page(request: Request) -> Response:
    """The counter's day list page (support staff and admins; settings for admins)."""
    return _guard(request, (ROLE_SUPPORT, ROLE_ADMIN)) or _page(request, "appointments.html")


@router.get("/api/support/appointments")
def day_list(user: SupportUser, appointments: AppointmentsDep,
             day: Annotated[date | None, Query(alias="date")] = None) -> dict[str, Any]:
    """A day's slots with their bookings (names and phones: staff only, audited)."""
    day = day or now_local().date()
    settings = appointments.service.settings()
    with appointments.service.sessions() as session:
        codes = {c for (c,) in session.execute(_procedures_of_day(day))}
    names = {code: _safe_name(appointments, code) for code in codes}
    return appointments.desk.day_list(settings, day, user.username, names)


@router.post("/api/support/appointments/{code}/status")
def set_status(code: str, body: StatusIn, user: SupportUser,
               appointments: AppointmentsDep) -> dict[str, str]:
    """Check a citizen in, mark a no-show, or undo (``booked``)."""
    return appointments.desk.set_status(code, body.status, user.username)


def _procedures_of_day(day: date) -> Select[Any]:
    return select(AppointmentRow.procedure).where(AppointmentRow.day == day.isoformat()).distinct()


def _safe_name(appointments: Appointments, code: str) -> str:
    try:
        return appointments.procedure_name(code)
    except AppointmentError:
        return ""
