"""Small text helpers for the composer: cutting, chunking, ordering, dates, catalog phrases."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from actions import constants as c
from knowledge_base.models import Channel, Document, Method


def shorten(text: str, limit: int = c.MAX_BUTTON_TITLE) -> str:
    """Cut ``text`` at a word boundary so it fits a button title."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


_BREAKS = (". ", "; ", ": ", " - ", " + ", ", ")


def split_long(line: str, limit: int) -> list[str]:
    """Cut a line longer than ``limit`` at sentence (or clause, or word) boundaries.

    Some catalog steps and documents are one 2,000–8,000 character paragraph;
    a chat bubble that long is unreadable (and over Zalo's limit).
    """
    pieces: list[str] = []
    while len(line) > limit:
        window = line[:limit]
        cut = next((window.rfind(b) + 1 for b in _BREAKS if window.rfind(b) > limit // 2), 0)
        space = window.rfind(" ")
        cut = cut or (space if space > 0 else limit)
        pieces.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return [*pieces, line] if line else pieces


def chunk_lines(lines: Sequence[str], limit: int = c.MAX_MESSAGE_CHARS) -> list[str]:
    """Group lines into blocks of at most ``limit`` characters, cutting over-long lines."""
    blocks: list[str] = []
    current: list[str] = []
    size = 0
    for line in (piece for whole in lines for piece in split_long(whole, limit)):
        if current and size + len(line) + 1 > limit:
            blocks.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append("\n".join(current))
    return blocks


def safe(value: str) -> str:
    """Keep Rasa's interpolation working: it gives up on a template whose value contains "0["."""
    return value.replace("0[", "0 [")


_COUNT_RE = re.compile(r"(\d+)\s*(bản chính|bản sao)", re.IGNORECASE)


def copy_counts(copies: str) -> list[tuple[int, str]]:
    """The catalog's counts as (number, kind): "02 bản chính" → [(2, "bản chính")]."""
    return [(int(number), kind) for number, kind in _COUNT_RE.findall(copies)]


# Catalog rows that introduce or qualify other rows rather than name a paper, whatever
# count the catalog gives them: a remark ("Lưu ý: …", "Giá trị sử dụng của giấy tờ … được
# xác định theo …") or a lead-in ("Ngoài giấy tờ nêu trên, tùy từng trường hợp, … phải
# nộp giấy tờ tương ứng sau đây:"). A row naming papers after its colon is kept.
_REMARK_STARTS = ("lưu ý", "giá trị sử dụng")
_LEAD_IN = ("ngoài", "sau đây")


def is_note(document: Document) -> bool:
    """A note, not a paper: every count zero ("0 bản chính"), or a remark or lead-in row.

    "02 bản chính" (two originals) and "0 bản chính,1 bản sao" (one copy) are
    papers to hand in, whatever digit their text starts with.
    """
    text = " ".join(document.name.split()).lower().rstrip(" .;:")
    return _all_zero(copy_counts(document.copies)) or text.startswith(_REMARK_STARTS) \
        or text.startswith(_LEAD_IN[0]) and text.endswith(_LEAD_IN[1])


def _all_zero(counts: list[tuple[int, str]]) -> bool:
    return bool(counts) and not any(number for number, _ in counts)


_CONDITIONAL_STARTS = ("trường hợp", "nếu", "đối với trường hợp", "riêng trường hợp",
                       "văn bản ủy quyền")


def main_first(documents: list[Document]) -> list[Document]:
    """Documents everyone needs first, then those of special situations ("Trường hợp …").

    The catalog lists them in no useful order (khai sinh starts with the record
    of an abandoned child); a citizen reads the checklist top down.
    """
    def conditional(document: Document) -> bool:
        return " ".join(document.name.split()).lower().startswith(_CONDITIONAL_STARTS)

    return sorted(documents, key=conditional)


def document_line(index: int, document: Document, form_label: str, show_label: str) -> str:
    """"3. Tờ khai … (1 bản chính; mẫu DC01)": copies, then the form without its file name."""
    counts = copy_counts(document.copies)
    if _all_zero(counts):
        copies = show_label
    elif counts:  # "0 bản chính,1 bản sao" → "1 bản sao"; "02 bản chính" → "2 bản chính"
        copies = ", ".join(f"{number} {kind}" for number, kind in counts if number)
    else:
        copies = document.copies.strip()
    form = re.sub(r"\.(docx?|pdf|xlsx?)$", "", " ".join((document.form or "").split()),
                  flags=re.IGNORECASE)  # the portal's attachment file name
    if form and not form.lower().startswith(form_label.lower()):
        form = f"{form_label} {form}"  # "mẫu DC01", not "mẫu Mẫu DC01"
    details = [part for part in (copies, form) if part]
    suffix = f" ({'; '.join(details)})" if details else ""
    return f"{index}. {' '.join(document.name.split())}{suffix}"


def group_methods(channels: Sequence[Channel],
                  text_of: Callable[[Channel], str]) -> list[tuple[list[Method], str]]:
    """Methods that share the same text, in order of first appearance.

    Three identical long fee notes (one per method) read as noise; one line
    for all of them is what a citizen needs.
    """
    groups: dict[str, list[Method]] = {}
    for channel in channels:
        groups.setdefault(text_of(channel), []).append(channel.method)
    return [(methods, text) for text, methods in groups.items()]


_PLACE_RE = re.compile(r"((?:Nộp hồ sơ trực tiếp|Nộp trực tiếp|Nộp hồ sơ|Trực tiếp) tại "
                       r"[^.;:\n]{3,160})",
                       re.IGNORECASE)
_MONEY_RE = re.compile(r"\d[\d.,]*\s*(?:đồng|vnđ)\b", re.IGNORECASE)
FEE_DETAIL_CHARS = 300


def catalog_place(channel: Channel | None) -> str | None:
    """Where the catalog says to file in person ("Nộp hồ sơ trực tiếp tại Công an cấp xã")."""
    if channel is None or not channel.description:
        return None
    match = _PLACE_RE.search(" ".join(channel.description.split()))
    return match.group(1).strip() if match else None


def fee_detail(channel: Channel) -> str | None:
    """The row's description when it spells out the fee ("từ trang thứ 3 trở lên thu 1.000 đồng").

    Some rows keep the real fee rule in the description cell and only the first
    amount in the fee cell (chứng thực bản sao: "2.000 đồng (/trang)").
    """
    text = " ".join((channel.description or "").split())
    money = _MONEY_RE.search(text)
    if money is None or money.start() > FEE_DETAIL_CHARS:
        return None
    if len(text) > FEE_DETAIL_CHARS:
        cut = text[:FEE_DETAIL_CHARS]
        end = max(cut.rfind(". "), cut.rfind("; "))
        text = cut[:end + 1] if end > 0 else cut.rsplit(" ", 1)[0] + "…"
    return text.rstrip(" ;,")


def format_date(value: datetime | None) -> str:
    """Vietnamese day/month/year, as shown under every answer."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_iso(value: str) -> str:
    """"2025-07-01" → "01/07/2025" (left as written if it is not an ISO date)."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").strftime("%d/%m/%Y")
    except ValueError:
        return value
