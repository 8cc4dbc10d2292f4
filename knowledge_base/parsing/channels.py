"""Parse ``cach_thuc_thuc_hien``: submission methods with time and fee.

The portal glues the cells of the table *Hình thức nộp / Thời gian / Phí, lệ
phí / Mô tả*, e.g. ``Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(note)desc``.
A row starts where a method name is glued to the next cell (no space or colon
after it); inside descriptions the same words are followed by a space or ':'.
"""

from __future__ import annotations

import re

from knowledge_base.models import Channel, Fee, Method, ParseStatus, ProcessingTime
from knowledge_base.parsing.common import balanced_paren_end, clean, clean_prose, parse_vnd

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
    r"|(?P<foreign>\d[\d.,]*\s*USD)"
)
# A bare time glued to the fee: "Trực tuyến120 VNĐ" is 1 (time) + 20 VNĐ (fee).
_GLUED_TIME_FEE_RE = re.compile(rf"(?P<digits>\d[\d.,]*)\s*(?:{_CURRENCY}|USD)")
_NOTE_AMOUNT_RE = re.compile(r"(\d{1,3}(?:[.,]\d{3})+)\s*(?:đ|đồng|Đồng|VNĐ)", re.IGNORECASE)
MIN_PLAUSIBLE_FEE = 1000
# "Miễn phí(Lệ phí : Đồng (- Mức lệ phí …))": the portal's amount template left empty.
_EMPTY_AMOUNT_RE = re.compile(r"^(?:Lệ phí\s*:\s*)?Đồng\s*\(", re.IGNORECASE)
# "Miễn phí (Không)", "(Không quy định.)": a note that adds nothing to the cell.
_EMPTY_NOTE_RE = re.compile(r"^không(?: có| quy định| thu)?\W*$", re.IGNORECASE)
# "(1) Trường hợp …" after the fee cell numbers the description; it is no fee note.
_ENUMERATOR_RE = re.compile(r"\(\w{1,3}\)\s")
# Cells that say nothing about the time ("Không", "0"): read as not stated.
_NO_TIME = ("Không", "0")
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


def _split_glued_time(body: str) -> int | None:
    """Length of a bare time glued to the fee amount after it, or None.

    The portal prints a unit-less time right before the fee, so "120 VNĐ" is
    time 1 and fee 20 VNĐ, "1200 VNĐ" time 1 and fee 200 VNĐ. The time is the
    shortest prefix that leaves an amount not starting with 0; when the note
    gives the amount, the split that matches it wins.
    """
    match = _GLUED_TIME_FEE_RE.match(body)
    if not match:
        return None
    digits = match.group("digits").rstrip(".,")
    note = _NOTE_AMOUNT_RE.search(body[match.end() : match.end() + 200])
    noted = parse_vnd(note.group(1)) if note else None
    splits = [
        k
        for k in range(1, min(len(digits), 4))
        if digits[k] not in "0.," and digits[k - 1].isdigit()
    ]
    for k in splits:
        amount = parse_vnd(digits[k:])
        if noted is not None and amount is not None and noted in (amount, amount * 1000):
            return k
    return splits[0] if splits else None


def _parse_time(body: str) -> tuple[ProcessingTime, int, bool]:
    """Read the time cell at the start of ``body``; return it, its end, and if it was clean."""
    glued = _split_glued_time(body)
    if glued is not None:
        value = float(body[:glued])
        return ProcessingTime(value=value, unit=None, text=body[:glued]), glued, False
    match = _TIME_RE.match(body)
    if match and match.group("value") and not match.group("unit") and match.group(0) in _NO_TIME:
        return ProcessingTime(text=""), match.end(), False
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
    text = clean(body[:end])
    return ProcessingTime(text="" if text in _NO_TIME else text), end, False


def _tidy_note(note: str) -> str:
    """Drop an empty amount template ("Lệ phí : Đồng (…)") and a leading bullet from a note."""
    if _EMPTY_AMOUNT_RE.match(note):
        note = _EMPTY_AMOUNT_RE.sub("", note)
        if note.endswith(")") and note.count(")") > note.count("("):
            note = note[:-1]
    note = clean_prose(re.sub(r"^[\s\-+•]+", "", note))
    return "" if _EMPTY_NOTE_RE.match(note) else note


def _thousands_from_note(amount: int, note: str) -> int | None:
    """The real amount of a cell that lost its thousands, when its note states it.

    The portal sometimes drops the thousands ("20 VNĐ (20.000 vnđ/tờ khai)").
    Only a note naming exactly that amount times 1,000 is trusted; a bare cell or
    a note that disagrees ("40 Việt Nam Đồng (4.000 đ/giấy)") gives no amount.
    """
    noted = {parse_vnd(m) for m in _NOTE_AMOUNT_RE.findall(note)}
    return amount * 1000 if noted == {amount * 1000} else None


def _parse_fee(body: str) -> tuple[Fee, int, bool]:
    """Read the fee cell (and its bracketed note) at the start of ``body``."""
    match = _FEE_RE.match(body)
    if not match:
        return Fee(text=""), 0, False
    end = match.end()
    if body[end : end + 1] == "(" and not _ENUMERATOR_RE.match(body, end):
        note_end = balanced_paren_end(body, end)
        note = clean(body[end + 1 : note_end - 1] if body[note_end - 1] == ")" else body[end + 1 :])
        while note.startswith("(") and balanced_paren_end(note, 0) == len(note):
            note = clean(note[1:-1])  # "((Mức lệ phí …))" on some pages
        note = _tidy_note(note)
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
    if match.group("foreign"):
        return Fee(amount_vnd=None, text=text), end, True  # "10 USD (/bản)": no đồng amount
    amount = parse_vnd(match.group("amount"))
    if amount is not None and 0 < amount < MIN_PLAUSIBLE_FEE:
        amount = _thousands_from_note(amount, note)
        if amount is None:
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
