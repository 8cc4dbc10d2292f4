"""Parse ``thanh_phan_ho_so``: documents grouped by case and by kind.

The portal glues a sequence of tables. Each table starts with the header
``Tên giấy tờMẫu đơn, tờ khaiSố lượng``; the text between the last item of one
table and the next header is that table's heading: a kind marker (``* Giấy tờ
phải nộp:`` / ``* Giấy tờ phải xuất trình:``), a case heading (``Đăng ký thường
trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ``), or nothing (``--``). Items end
with a count such as ``1 bản chính`` or ``0 bản chính,1 bản sao``, sometimes
preceded by the file name of a form.
"""

from __future__ import annotations

import re

from knowledge_base.models import Document, DocumentGroup, DocumentKind, ParseStatus
from knowledge_base.parsing.common import clean

HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COUNT_RE = re.compile(r"\d+\s*bản\s*(?:chính|sao)(?:\s*,\s*\d+\s*bản\s*(?:chính|sao))*")
# A form's file name glued after the item text, e.g. "...TT-BCA).1.MuCT01banhnh.doc".
_FORM_RE = re.compile(
    r"(?<=[.);:])\s*((?:\d+\.)?[A-Za-z0-9_\-]+(?:\s?\(\d+\))?\.(?:docx?|pdf|xlsx?))\s*$",
    re.IGNORECASE,
)
_PRESENT_RE = re.compile(r"xuất trình", re.IGNORECASE)
_SUBMIT_RE = re.compile(r"phải nộp|hồ sơ (?:phải nộp|gồm)|thành phần hồ sơ", re.IGNORECASE)
_HEADING_NOISE_RE = re.compile(r"^[\s*\-–—:.;]+|[\s*\-–—:.;]+$")


def _split_items(segment: str) -> tuple[list[Document], str]:
    """Split one table body into documents; return them and the trailing heading text."""
    documents = []
    position = 0
    for match in _COUNT_RE.finditer(segment):
        name = segment[position : match.start()]
        form = _FORM_RE.search(name)
        if form:
            name = name[: form.start(1)]
        name = clean(re.sub(r"^\s*[-+•]\s*", "", name))
        if name:
            documents.append(
                Document(
                    name=name, copies=clean(match.group()), form=form.group(1) if form else None
                )
            )
        position = match.end()
    return documents, segment[position:]


def _read_heading(text: str) -> tuple[DocumentKind | None, str | None]:
    """Interpret the text before a table header as a kind marker and/or a case."""
    heading = clean(text)
    kind = None
    if _PRESENT_RE.search(heading):
        kind = DocumentKind.PRESENT
    elif re.search(r"giấy tờ phải nộp", heading, re.IGNORECASE):
        kind = DocumentKind.SUBMIT
    case = re.sub(r"\*?\s*Giấy tờ phải (?:nộp|xuất trình)\s*:?", "", heading, flags=re.IGNORECASE)
    case = re.sub(r",?\s*(?:hồ sơ\s+)?gồm\s*:?\s*$", "", case, flags=re.IGNORECASE)
    case = _HEADING_NOISE_RE.sub("", case).strip()
    if not case or len(case) < 8:
        return kind, None
    return kind, case


def parse_documents(text: str) -> tuple[list[DocumentGroup], ParseStatus]:
    """Parse the documents table into groups by case and kind."""
    raw = (text or "").strip()
    if not clean(raw):
        return [], ParseStatus.EMPTY
    segments = raw.split(HEADER)
    if len(segments) == 1:
        return [], ParseStatus.NONE
    kind, case = _read_heading(segments[0])
    kind = kind or DocumentKind.SUBMIT
    groups: list[DocumentGroup] = []
    unparsed = 0
    for segment in segments[1:]:
        documents, trailing = _split_items(segment)
        if documents:
            groups.append(DocumentGroup(case=case, kind=kind, documents=documents))
        elif clean(segment):
            unparsed += 1
        next_kind, next_case = _read_heading(trailing)
        if next_kind is not None:
            kind = next_kind
        case = next_case if (next_case or next_kind is not None or clean(trailing)) else case
    if not groups:
        return [], ParseStatus.NONE
    return groups, ParseStatus.PARTIAL if unparsed else ParseStatus.FULL
