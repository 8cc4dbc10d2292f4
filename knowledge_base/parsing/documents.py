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
    r"(?<=[.);:])\s*((?:\d+\.)?[^.;:()]{1,100}(?:\s?\(\d+\))?\.(?:docx?|pdf|xlsx?))\s*$",
    re.IGNORECASE,
)
_NOTES_HEADING_RE = re.compile(r"^\W*lưu ý", re.IGNORECASE)
# "0 bản chính" items that read as explanations, not as papers to bring.
_NOTE_START_RE = re.compile(
    r"^\W*(?:lưu ý|trường hợp|đối với|người (?:tiếp nhận|yêu cầu|có yêu cầu)|cơ quan|cá nhân|"
    r"việc|ví dụ|khi|nếu|không yêu cầu|thông tin chứng minh)",
    re.IGNORECASE,
)
_PRESENT_RE = re.compile(r"xuất trình", re.IGNORECASE)
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


def _is_note(document: Document) -> bool:
    """An item that explains rather than names a paper (the portal lists both alike)."""
    return document.copies == "0 bản chính" and bool(_NOTE_START_RE.match(document.name))


def _read_heading(text: str) -> tuple[DocumentKind | None, str | None]:
    """Interpret the text before a table header as a kind marker and/or a case.

    A bare separator ("--") starts an unlabelled table of papers to submit.
    """
    heading = clean(text)
    if heading and not _HEADING_NOISE_RE.sub("", heading):
        return DocumentKind.SUBMIT, None
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


def parse_documents(text: str) -> tuple[list[DocumentGroup], list[str], ParseStatus]:
    """Parse the documents table into groups by case and kind, and the notes beside them."""
    raw = (text or "").strip()
    if not clean(raw):
        return [], [], ParseStatus.EMPTY
    segments = raw.split(HEADER)
    if len(segments) == 1:
        return [], [], ParseStatus.NONE
    kind, case = _read_heading(segments[0])
    kind = kind or DocumentKind.SUBMIT
    notes_table = bool(_NOTES_HEADING_RE.match(clean(segments[0])))
    groups: list[DocumentGroup] = []
    notes: list[str] = []
    unparsed = 0
    for segment in segments[1:]:
        items, trailing = _split_items(segment)
        documents = [d for d in items if not (notes_table or _is_note(d))]
        notes.extend(d.name for d in items if notes_table or _is_note(d))
        if documents:
            groups.append(DocumentGroup(case=case, kind=kind, documents=documents))
        elif not items and clean(segment):
            unparsed += 1
        notes_table = bool(_NOTES_HEADING_RE.match(clean(trailing)))
        next_kind, next_case = _read_heading(trailing)
        if next_kind is not None:
            kind = next_kind
        if not notes_table:
            case = next_case if (next_case or next_kind is not None or clean(trailing)) else case
    if not groups:
        return [], notes, ParseStatus.NONE
    return groups, notes, ParseStatus.PARTIAL if unparsed else ParseStatus.FULL
