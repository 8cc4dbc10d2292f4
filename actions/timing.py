"""How a processing time reads to a citizen, from the parsed catalog cell.

Many catalog rows give a bare number ("Trực tuyến1Miễn phí"): the portal's
unit cell is empty. A unit is never invented. When another submission method
of the same procedure states a unit for the very same number ("Trực tuyến1
Ngày làm việc … Trực tiếp1"), that unit is used; otherwise the number is shown
as the catalog gives it, marked, and the answer adds a note (a domain
response) saying the catalog gives no unit and whom to ask.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge_base.models import Channel, ProcessingTime

# The civil-status steps state when a complete file handed in at the office is returned:
# "…nếu tiếp nhận hồ sơ sau 15 giờ thì có Phiếu hẹn, trả kết quả cho người yêu cầu trong
# ngày làm việc tiếp theo (nếu người yêu cầu nộp hồ sơ trực tiếp)…".
_CUTOFF = re.compile(r"tiếp nhận hồ sơ sau (\d{1,2}) giờ[^;.]{0,80}?trả kết quả[^;.]{0,60}?"
                     r"trong ngày làm việc tiếp theo", re.IGNORECASE)


def next_day_cutoff(steps: Sequence[str]) -> str | None:
    """The hour after which the steps return a file handed in the next working day, if stated."""
    match = _CUTOFF.search(" ".join(" ".join(steps).split()))
    return match.group(1) if match else None


@dataclass(frozen=True)
class TimeText:
    """A processing time ready to show; ``bare`` when the catalog gives no unit at all."""

    text: str
    bare: bool = False


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}".replace(".", ",")


def _is_bare(time: ProcessingTime) -> bool:
    return time.value is not None and time.unit is None and bool(time.text) and \
        time.text.replace(".", "").replace(",", "").isdigit()


def sibling_unit(time: ProcessingTime, channels: Sequence[Channel]) -> str | None:
    """The unit another method of the same procedure gives for the same number, if only one."""
    units = {ch.processing_time.unit for ch in channels
             if ch.processing_time.unit and ch.processing_time.value == time.value}
    return units.pop() if len(units) == 1 else None


def time_text(channel: Channel, channels: Sequence[Channel]) -> TimeText | None:
    """The time of ``channel`` as a citizen reads it ("7 ngày làm việc"); None if not stated."""
    time = channel.processing_time
    if not time.text:
        return None
    if time.value is not None and time.unit:
        return TimeText(f"{_number(time.value)} {time.unit}")
    if time.value is not None and _is_bare(time):
        unit = sibling_unit(time, channels)
        if unit:
            return TimeText(f"{_number(time.value)} {unit}")
        return TimeText(time.text, bare=True)
    return TimeText(time.text)


def any_bare(shown: Sequence[Channel], channels: Sequence[Channel]) -> bool:
    """Whether any of ``shown`` is displayed as a bare number (the answer then adds a note)."""
    return any((t := time_text(ch, channels)) is not None and t.bare for ch in shown)
