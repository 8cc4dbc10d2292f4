"""The counter's schedule: admin settings, working days and the slots of a day.

Pure functions over :class:`AppointmentSettings`; times are the ward's local
time (``Asia/Ho_Chi_Minh``). A slot is identified by its local start,
``YYYY-MM-DDTHH:MM`` (the ``slot`` key of the tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

WARD_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT_KEY_FORMAT = "%Y-%m-%dT%H:%M"
MAX_LOOKAHEAD_DAYS = 60
# The demo office's hours (knowledge_base/data/office_seed.yml): admins change them here.
DEFAULT_HOURS: dict[str, list[tuple[str, str]]] = {
    **{day: [("08:00", "12:00"), ("13:30", "17:00")] for day in WEEKDAYS[:5]},
    "sat": [("08:00", "12:00")],
}


def _parse_hhmm(value: str) -> time:
    try:
        return datetime.strptime(value, "%H:%M").time()
    except ValueError as error:
        raise ValueError(f"time {value!r} must be HH:MM") from error


class AppointmentSettings(BaseModel):
    """What the admin sets: slot length, places per slot, how far ahead, opening hours."""

    model_config = ConfigDict(extra="forbid")

    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity_per_slot: int = Field(default=2, ge=1, le=100)
    days_ahead: int = Field(default=6, ge=1, le=30, description="Working days offered, "
                            "today included.")
    opening_hours: dict[str, list[tuple[str, str]]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_HOURS.items()},
        description="Per weekday (mon…sun): opening periods as [start, end] HH:MM.")
    closed_dates: list[date] = Field(default_factory=list, max_length=366,
                                     description="Holidays and other closed days.")
    min_notice_minutes: int = Field(default=30, ge=0, le=1440,
                                    description="A slot must start at least this late.")

    @field_validator("opening_hours")
    @classmethod
    def _check_hours(cls, value: dict[str, list[tuple[str, str]]]
                     ) -> dict[str, list[tuple[str, str]]]:
        for day, periods in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
            for start, end in periods:
                if _parse_hhmm(start) >= _parse_hhmm(end):
                    raise ValueError(f"{day}: {start} is not before {end}")
        return value

    @model_validator(mode="after")
    def _some_day_open(self) -> AppointmentSettings:
        if not any(self.opening_hours.values()):
            raise ValueError("opening_hours must open at least one weekday")
        return self


@dataclass(frozen=True)
class Slot:
    """One bookable period of the counter, in ward time."""

    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """The slot's key in the tables."""
        return self.start.strftime(SLOT_KEY_FORMAT)


def now_local() -> datetime:
    """Now, in the ward's time zone."""
    return datetime.now(WARD_TZ)


def is_open_day(settings: AppointmentSettings, day: date) -> bool:
    """The counter opens that day (a weekday with hours, not a closed date)."""
    return bool(settings.opening_hours.get(WEEKDAYS[day.weekday()])) \
        and day not in settings.closed_dates


def bookable_days(settings: AppointmentSettings, now: datetime | None = None) -> list[date]:
    """The next ``days_ahead`` open days, today included if a slot is still ahead."""
    now = now or now_local()
    days: list[date] = []
    day = now.date()
    for _ in range(MAX_LOOKAHEAD_DAYS):
        if is_open_day(settings, day) and (day != now.date() or day_slots(settings, day, now)):
            days.append(day)
            if len(days) >= settings.days_ahead:
                break
        day += timedelta(days=1)
    return days


def day_slots(settings: AppointmentSettings, day: date,
              now: datetime | None = None) -> list[Slot]:
    """The slots of ``day`` that start late enough from now (none on a closed day)."""
    if not is_open_day(settings, day):
        return []
    earliest = (now or now_local()) + timedelta(minutes=settings.min_notice_minutes)
    length = timedelta(minutes=settings.slot_minutes)
    slots = []
    for start_text, end_text in settings.opening_hours.get(WEEKDAYS[day.weekday()], []):
        start = datetime.combine(day, _parse_hhmm(start_text), WARD_TZ)
        close = datetime.combine(day, _parse_hhmm(end_text), WARD_TZ)
        while start + length <= close:
            if start >= earliest:
                slots.append(Slot(start, start + length))
            start += length
    return slots


def find_slot(settings: AppointmentSettings, start: datetime,
              now: datetime | None = None) -> Slot | None:
    """The bookable slot beginning exactly at ``start`` (any time zone), or None."""
    local = start.astimezone(WARD_TZ) if start.tzinfo else start.replace(tzinfo=WARD_TZ)
    if local.date() not in bookable_days(settings, now):
        return None
    return next((s for s in day_slots(settings, local.date(), now) if s.start == local), None)


def slot_from_key(key: str, minutes: int) -> Slot:
    """Rebuild a slot from its stored key and length."""
    start = datetime.strptime(key, SLOT_KEY_FORMAT).replace(tzinfo=WARD_TZ)
    return Slot(start, start + timedelta(minutes=minutes))
