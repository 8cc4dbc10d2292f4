"""Turn the portal's table headings into case headings a citizen can choose from.

The text between two document tables is whatever the portal's editor typed:
a real case ("Đăng ký thường trú vào chỗ ở hợp pháp do thuê, mượn, ở nhờ"), an
enumerated title ("1. Hồ sơ thu hồi", "a) Trường hợp hỗ trợ khám chữa bệnh"), an
introduction ("Thành phần hồ sơ", "Người yêu cầu chứng thực nộp 01 bộ hồ sơ,
gồm các giấy tờ sau đây"), a note ("Trường hợp không quy định là bản chính thì
có thể nộp bản sao hợp lệ…") or the procedure's own name. Only real cases
become the buttons of "which case applies to you?"; the rest is dropped (an
introduction), kept as a note, or, for the one extra case of a procedure,
written in front of its documents ("Trường hợp ủy quyền thực hiện thủ tục: …").
"""

from __future__ import annotations

import re

from knowledge_base.models import DocumentGroup
from knowledge_base.parsing.common import clean_prose

# "1.", "1.3.1.1.", "a)", "(i)", "(ii)", "A -", "I.", "++", "1)" before the heading.
_ENUMERATOR_RE = re.compile(
    r"^(?:[+*•\-–]+\s*|\(?(?:[a-zđ]?\d+(?:\.\d+)*|[a-zđ]|[ivx]+|[A-Z]|[IVX]+)\s*(?:[.)]|\s[-–])\s*)+"
)
# Trailing lead-ins: ", bao gồm:", "gồm các giấy tờ sau đây", "cụ thể", "thì hồ sơ phải kèm …".
_TAIL_RE = re.compile(
    r"(?:[,:]?\s*(?:hồ sơ\s+)?(?:bao\s+)?gồm(?:\s+(?:các|những)\s+giấy tờ\s+sau(?:\s+đây)?)?"
    r"|[,:]?\s*(?:hồ sơ\s+)?bao"
    r"|[,:]?\s*(?:cụ thể|như sau)"
    r"|,?\s*thì hồ sơ (?:phải )?kèm theo.*"
    r"|,?\s*khi làm thủ tục hải quan phải nộp"
    r"|(?<!thành phần)\s+hồ sơ"
    r"|,?\s*(?:(?:hồ sơ\s+)?(?:còn\s+)?(?:phải\s+)?(?:có|nộp|kèm theo)(?:\s+thêm)?\s+)?"
    r"(?:một trong\s+)?(?:các|những)\s+(?:giấy tờ|chứng từ|tài liệu)\s+sau(?:\s+đây)?)"
    r"[\s:;,.]*$",
    re.IGNORECASE,
)
_SUBITEMS_RE = re.compile(
    r"(?::\s*(?:\(\w{1,4}\)|[-+]+|[a-zđ]\d?\))\s.*"
    r"|\s*\(?trường hợp không quy định là bản chính.*)$",
    re.IGNORECASE,
)
# Headings that only introduce the list: never a case, nothing to keep.
_INTRO_RE = re.compile(
    r"^(?:thành phần hồ sơ|hồ sơ|chứng từ phải nộp|giấy tờ phải nộp|hồ sơ gồm|bao gồm)"
    r"(?:\s+(?:theo|ban hành|gồm)\b.*)?$|^khi nộp hồ sơ\b",
    re.IGNORECASE,
)
# Headings that are notes about the whole list, not a situation to choose.
_NOTE_RE = re.compile(
    r"^\(?(?:trường hợp không quy định là bản chính|trong phiếu|số lượng hồ sơ|theo quy định tại"
    r"|người yêu cầu chứng thực|lưu ý|ghi chú|hồ sơ gồm bản sao|tờ khai)",
    re.IGNORECASE,
)
# "Ngoài …, tùy từng trường hợp … nộp thêm": extra papers beside every case, not a case.
_EXTRA_RE = re.compile(r"^\W*ngoài\b", re.IGNORECASE)
# Headings naming whose papers they are: parts of one application, not alternatives.
_PART_RE = re.compile(r"^hồ sơ của\b", re.IGNORECASE)
# A document that states its own situation needs no heading in front of it.
_CONDITION_RE = re.compile(r"^\W*(?:\(\w{1,4}\)\s*)?(?:trường hợp|đối với|nếu)\b", re.IGNORECASE)
_PROCEDURE_PREFIX_RE = re.compile(r"^(?:thủ tục|hồ sơ|thành phần hồ sơ)\s+", re.IGNORECASE)


def _fold(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def clean_case(heading: str) -> str:
    """The distinguishing part of a heading: no enumerator, lead-in or trailing colon."""
    text = clean_prose(heading)
    # "Khai thuế đối với nhà thầu: (i1) Đối với …", "Đối với NLĐ (Trường hợp không quy định
    # là bản chính …)": the sub-items and the general note are no part of the case.
    short = _SUBITEMS_RE.sub("", text)
    text = short if len(short) >= 8 else text
    for _ in range(2):
        text = _ENUMERATOR_RE.sub("", text)
        text = _TAIL_RE.sub("", text).strip(" :;,.-–")
    if text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:]
    return text[:1].upper() + text[1:]


def _names_the_procedure(case: str, procedure_name: str) -> bool:
    """The heading just repeats the procedure's name ("Hồ sơ đăng ký tạm trú")."""
    bare_case = _fold(_PROCEDURE_PREFIX_RE.sub("", case))
    bare_name = _fold(_PROCEDURE_PREFIX_RE.sub("", procedure_name))
    return bool(bare_name) and bare_case == bare_name


def _kind_of(case: str) -> str:
    """'intro' (drop), 'note' (keep as a note) or 'case' (a situation to choose)."""
    if _NOTE_RE.match(case):
        return "note"
    if _INTRO_RE.match(case) or len(case) < 8:
        return "intro"
    return "case"


def _title(text: str) -> str:
    return text[:1].upper() + text[1:]


def tidy_cases(
    groups: list[DocumentGroup], procedure_name: str = ""
) -> tuple[list[DocumentGroup], list[str]]:
    """Clean the case headings of ``groups``; return the groups and notes made from headings."""
    notes: list[str] = []
    extra: list[DocumentGroup] = []
    for group in groups:
        if not group.case:
            continue
        if _EXTRA_RE.match(group.case):
            extra.append(_with_condition(group, clean_prose(group.case).rstrip(" :;,.")))
            continue
        case = clean_case(group.case)
        kind = _kind_of(case)
        if kind == "note" and case not in notes:
            notes.append(case)
        if kind == "case" and _names_the_procedure(case, procedure_name):
            # "Hồ sơ đăng ký tạm trú" beside special cases is the plain case: say it plainly.
            case = _title(_PROCEDURE_PREFIX_RE.sub("", case))
        group.case = case if kind == "case" else None
    groups = [g for g in groups if not any(g is e for e in extra)]
    cases = list(dict.fromkeys(g.case for g in groups if g.case))
    if len(cases) >= 2 and all(_PART_RE.match(case) for case in cases):
        # "Hồ sơ của người nhận con nuôi" / "… của người được nhận làm con nuôi": both are needed.
        groups = [_with_condition(g, g.case) if g.case else g for g in groups]
        cases = []
    if len(cases) == 1:
        groups = _fold_single_case(groups, cases[0], procedure_name, notes)
    return groups + extra, notes


def _with_condition(group: DocumentGroup, condition: str) -> DocumentGroup:
    """The group's documents with their situation in front, for every case to see."""
    group.documents = [
        d
        if _CONDITION_RE.match(d.name)
        else d.model_copy(update={"name": f"{condition}: {d.name}"})
        for d in group.documents
    ]
    group.case = None
    return group


def _fold_single_case(
    groups: list[DocumentGroup], case: str, procedure_name: str, notes: list[str]
) -> list[DocumentGroup]:
    """One case is no choice: its documents join the list, under their condition if any.

    A heading naming the procedure is dropped; one over every document scoped the
    whole list and is kept as a note; otherwise its documents are extra papers for
    that situation: they follow the others and carry the situation in their name
    ("Trường hợp ủy quyền thực hiện thủ tục: Văn bản ủy quyền …").
    """
    if _names_the_procedure(case, procedure_name) or all(g.case for g in groups):
        if not _names_the_procedure(case, procedure_name):
            notes.append(case)
        for group in groups:
            group.case = None
        return groups
    extra = [_with_condition(g, case) for g in groups if g.case]
    return [g for g in groups if not any(g is e for e in extra)] + extra
