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
from knowledge_base.parsing.cases import tidy_cases
from knowledge_base.parsing.common import LOWER, UPPER, clean, clean_prose

HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_COUNT_RE = re.compile(r"\d+\s*bản\s*(?:chính|sao)(?:\s*,\s*\d+\s*bản\s*(?:chính|sao))*")
# A form's file name glued after the item text, e.g. "...TT-BCA).1.MuCT01banhnh.doc".
_FORM_RE = re.compile(
    r"(?<=[.);:])\s*((?:\d+\.)?[^.;:()]{1,100}(?:\s?\(\d+\))?\.(?:docx?|pdf|xlsx?))\s*$",
    re.IGNORECASE,
)
# "a) ", "(ii) ", "3) ", "b. " before an item: the answer numbers the list itself.
_ITEM_LABEL_RE = re.compile(r"^(?:\(?(?:[a-zđ]|[ivx]{1,4}|\d{1,2})\)|[a-zđ]\.)\s*")
# The count cell is written "1 bản chính"; "01 bản sao" followed by more words is the
# item's own text.
_PROSE_COUNT_RE = re.compile(r"0\d")
_PROSE_NEXT_RE = re.compile(rf"\s+[{LOWER}]|\s*\)")
# A form file name glued straight to the item text ("quản lý thuếMẫu 03 ĐK TCT.docx",
# "Chính phủ.Đơn trình báo (mẫu TK07).pdf"): it starts at the first glue point
# (a lowercase letter or a closing mark touching the next word) near the extension.
_FORM_EXT_RE = re.compile(r"\.(?:docx?|pdf|xlsx?)\s*$", re.IGNORECASE)
_FORM_START_RE = re.compile(
    rf"(?<=[{LOWER}])(?=[{UPPER}])|(?<=[.;:)”])(?=[{UPPER}{LOWER}])"
    rf"|(?<=[{UPPER}\d])(?=[{UPPER}][{LOWER}]{{2}})"  # "NĐ-CPMus132.docx", "2026Mau so 04.doc"
)
FORM_MAX_CHARS = 130
_NOTES_HEADING_RE = re.compile(r"^\W*lưu ý", re.IGNORECASE)
# "0 bản chính" items that read as explanations, not as papers to bring.
_NOTE_START_RE = re.compile(
    r"^\W*(?:lưu ý|trường hợp|đối với|người (?:tiếp nhận|yêu cầu|có yêu cầu)|cơ quan|cá nhân|"
    r"việc|ví dụ|khi|nếu|không yêu cầu|thông tin chứng minh)",
    re.IGNORECASE,
)
_PRESENT_RE = re.compile(r"xuất trình", re.IGNORECASE)
_HEADING_NOISE_RE = re.compile(r"^[\s*\-–—:.;]+|[\s*\-–—:.;]+$")


def _split_form(name: str) -> tuple[str, str | None]:
    """Cut the form's file name off the end of an item's text.

    File names may hold dots ("Mau 03 - Phu luc III_36.2025.TT-BNNMT.doc"), so the
    earliest start either rule finds wins.
    """
    ext = _FORM_EXT_RE.search(name)
    if not ext:
        return name, None
    window = max(0, ext.start() - FORM_MAX_CHARS)
    starts = [m.start(1) for m in _FORM_RE.finditer(name)]
    starts += [m.start() for m in _FORM_START_RE.finditer(name, window, ext.start())]
    # The item's own text must remain: "a) Đơn đề nghị.docx" is no form after a label.
    starts = [i for i in starts if _has_words(_ITEM_LABEL_RE.sub("", name[:i].strip()))]
    if not starts:
        return name, None
    return name[: min(starts)], clean(name[min(starts) :])


def _has_words(text: str) -> bool:
    return len(re.findall(r"[^\W\d_]", text)) >= 2


def _split_items(segment: str) -> tuple[list[Document], str]:
    """Split one table body into documents; return them and the trailing heading text."""
    documents = []
    position = 0
    for match in _COUNT_RE.finditer(segment):
        if _PROSE_COUNT_RE.match(match.group()) and _PROSE_NEXT_RE.match(segment, match.end()):
            continue  # "01 bản chính hoặc 01 bản sao có chứng thực" is text, not the count cell
        name, form = _split_form(segment[position : match.start()])
        name = _ITEM_LABEL_RE.sub("", clean_prose(re.sub(r"^[\s\-+•*;,.:]+", "", name)))
        name = name.rstrip(" ;,")
        if re.search(r"[^\W\d_]", name):  # stray ";" or ")" items are no papers
            documents.append(Document(name=name, copies=clean(match.group()), form=form))
        position = match.end()
    return documents, segment[position:]


def _unique(documents: list[Document]) -> list[Document]:
    """Drop repeats of the same paper in one table (the portal lists some twice or more)."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for document in documents:
        key = (re.sub(r"[\W_]+", " ", document.name.lower()).strip(), document.copies)
        if key not in seen:
            seen.add(key)
            kept.append(document)
    return kept


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


def parse_documents(
    text: str, procedure_name: str = ""
) -> tuple[list[DocumentGroup], list[str], ParseStatus]:
    """Parse the documents table into groups by case and kind, and the notes beside them.

    ``procedure_name`` lets a heading that only repeats it be told from a real case.
    """
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
            groups.append(DocumentGroup(case=case, kind=kind, documents=_unique(documents)))
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
    groups, heading_notes = tidy_cases(groups, procedure_name)
    notes = heading_notes + notes
    return groups, notes, ParseStatus.PARTIAL if unparsed else ParseStatus.FULL
