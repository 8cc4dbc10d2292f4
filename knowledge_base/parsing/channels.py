"""Parse ``cach_thuc_thuc_hien``: submission methods with time and fee.

The portal glues the cells of the table *Hình thức nộp / Thời gian / Phí, lệ
phí / Mô tả*, e.g. ``Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(note)desc``.
A row starts where a method name is glued to the next cell (no space or colon
after it); inside descriptions the same words are followed by a space or ':'.
"""

from __future__ import annotations

import re

from knowledge_base.models import Channel, Fee, Method, ParseStatus, ProcessingTime
from knowledge_base.parsing.common import balanced_paren_end, clean, parse_vnd

HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
METHOD_NAMES = {
    "Trực tuyến": Method.ONLINE,
    "Trực tiếp": Method.IN_PERSON,
    "Dịch vụ bưu chính": Method.POST,
}
_METHOD_RE = re.compile("|".join(METHOD_NAMES))
_UNITS = r"Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Tuần|Năm|Phút"
_TIME_RE = re.compile(
    rf"(?P<value>\d+(?:[.,]\d+)?)\s*(?P<unit>{_UNITS})?|(?P<none>Không có thông tin|Không quy định)"
)
_CURRENCY = r"Việt Nam Đồng|VNĐ|Đồng|đồng"
_FEE_RE = re.compile(
    rf"(?P<free>Miễn phí)|(?P<none>Không có thông tin)|(?P<amount>\d[\d.,]*)\s*(?:{_CURRENCY})"
)
_NOTE_AMOUNT_RE = re.compile(r"(\d{1,3}(?:[.,]\d{3})+)\s*(?:đ|đồng|Đồng|VNĐ)", re.IGNORECASE)
MIN_PLAUSIBLE_FEE = 1000
# "Miễn phí (Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định …)": the portal's
# default cell over a note saying a fee exists and is set by the province.
_PROVINCIAL_FEE_RE = re.compile(r"lệ phí.{0,80}(?:do|theo).{0,40}hội đồng nhân dân", re.IGNORECASE)


def _row_starts(text: str) -> list[tuple[int, int, Method]]:
    """Find method names glued to the following cell: the start of a table row."""
    starts = []
    for match in _METHOD_RE.finditer(text):
        nxt = text[match.end() : match.end() + 1]
        if nxt and (nxt.isdigit() or nxt.isupper()):
            starts.append((match.start(), match.end(), METHOD_NAMES[match.group()]))
    return starts


def _parse_time(body: str) -> tuple[ProcessingTime, int, bool]:
    """Read the time cell at the start of ``body``; return it, its end, and if it was clean."""
    match = _TIME_RE.match(body)
    if match and match.group("value"):
        value = float(match.group("value").replace(",", "."))
        unit = match.group("unit")
        text = match.group(0).strip()
        time = ProcessingTime(value=value, unit=unit.lower() if unit else None, text=text)
        return time, match.end(), unit is not None
    if match:
        return ProcessingTime(text=""), match.end(), True
    # Free text in the time cell: it runs up to the fee cell.
    fee = _FEE_RE.search(body)
    end = fee.start() if fee else len(body)
    return ProcessingTime(text=clean(body[:end])), end, False


def _parse_fee(body: str) -> tuple[Fee, int, bool]:
    """Read the fee cell (and its bracketed note) at the start of ``body``."""
    match = _FEE_RE.match(body)
    if not match:
        return Fee(text=""), 0, False
    end = match.end()
    if body[end : end + 1] == "(":
        note_end = balanced_paren_end(body, end)
        note = clean(body[end + 1 : note_end - 1] if body[note_end - 1] == ")" else body[end + 1 :])
        while note.startswith("(") and balanced_paren_end(note, 0) == len(note):
            note = clean(note[1:-1])  # "((Mức lệ phí …))" on some pages
        end = note_end
    else:
        note = ""
    cell = match.group(0)
    text = clean(f"{cell} ({note})" if note else cell)
    if match.group("free"):
        if _PROVINCIAL_FEE_RE.search(note):
            return Fee(amount_vnd=None, text=note), end, False  # the note, not a false "free"
        return Fee(amount_vnd=0, text=text), end, True
    if match.group("none"):
        return Fee(amount_vnd=None, text=note), end, True
    amount = parse_vnd(match.group("amount"))
    if amount is not None and amount < MIN_PLAUSIBLE_FEE and _NOTE_AMOUNT_RE.search(note):
        # The portal sometimes drops the thousands ("25 VNĐ (25.000đ/giấy)"): trust nobody.
        return Fee(amount_vnd=None, text=text), end, False
    if amount is not None:
        # Written the Vietnamese way for citizens: "20.000 đồng", not "20,000 Việt Nam Đồng".
        text = clean(f"{amount:,} đồng".replace(",", ".") + (f" ({note})" if note else ""))
    return Fee(amount_vnd=amount, text=text), end, True


def parse_channels(text: str) -> tuple[list[Channel], ParseStatus]:
    """Parse the submission-method table into channels."""
    raw = (text or "").strip()
    if not clean(raw):
        return [], ParseStatus.EMPTY
    body = raw[len(HEADER) :] if raw.startswith(HEADER) else raw
    starts = _row_starts(body)
    if not starts:
        return [], ParseStatus.NONE
    channels: list[Channel] = []
    clean_rows = starts[0][0] == 0
    for i, (_, cell_start, method) in enumerate(starts):
        row_end = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        row = body[cell_start:row_end]
        time, time_end, time_ok = _parse_time(row)
        fee, fee_len, fee_ok = _parse_fee(row[time_end:])
        description = clean(row[time_end + fee_len :])
        channels.append(
            Channel(method=method, processing_time=time, fee=fee, description=description)
        )
        clean_rows = clean_rows and time_ok and fee_ok
    return channels, ParseStatus.FULL if clean_rows else ParseStatus.PARTIAL
