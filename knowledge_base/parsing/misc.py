"""Parse the smaller fields: page sections, legal basis, steps and result."""

from __future__ import annotations

import re

from knowledge_base.models import LegalDocument, ParseStatus
from knowledge_base.parsing.common import LOWER, UPPER, clean, clean_prose

# Labels of the portal page in the order they appear in ``raw_text``.
PAGE_LABELS = {
    "ten_thu_tuc": "Tên thủ tục",
    "ma_thu_tuc": "Mã thủ tục",
    "so_quyet_dinh": "Số quyết định",
    "cap_thuc_hien": "Cấp thực hiện",
    "loai_thu_tuc": "Loại thủ tục",
    "linh_vuc": "Lĩnh vực",
    "doi_tuong_thuc_hien": "Đối tượng thực hiện",
    "co_quan_co_tham_quyen": "Cơ quan có thẩm quyền",
    "dia_chi_tiep_nhan": "Địa chỉ tiếp nhận HS",
    "co_quan_duoc_uy_quyen": "Cơ quan được ủy quyền",
    "co_quan_phoi_hop": "Cơ quan phối hợp",
    "thu_tuc_lien_quan": "Thủ tục hành chính liên quan",
    "trinh_tu_thuc_hien": "Trình Tự Thực Hiện",
    "cach_thuc_thuc_hien": "Cách Thức Thực Hiện",
    "thanh_phan_ho_so": "Thành phần hồ sơ",
    "can_cu_phap_ly": "Căn cứ pháp lý",
    "co_quan_thuc_hien": "Cơ quan thực hiện",
    "yeu_cau_dieu_kien": "Yêu cầu, điều kiện thực hiện",
    "ket_qua_xu_ly": "Kết quả xử lý",
}
_PAGE_END_MARKERS = ("Từ khóa", "Chọn cơ quan thực hiện")
_LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản"
_LEGAL_NUMBER_RE = re.compile(
    r"(?<![\d.])\d+(?:\.\d+)?/(?:\d{4}/)?(?:(?:UBTV)?QH\d{2}|[A-ZĐ]+(?:-[A-ZĐ]+)*)"
)
# Words that start the title of the next legal document glued after a number.
_TITLE_START_RE = re.compile(
    r"(?:Thông|Nghị|Luật|Quyết|Sửa|Về|Hướng|Quy|Ban|Bộ|Pháp|Chỉ|Công|Văn|Lệnh|Hiến)"
)
# Result codes come in many shapes ("KQ.G15.000031", "000.00.00.G11-KQ3554", "VBTT") and
# run into the next result name: a code ends where a capitalised word starts.
_RESULT_CODE_RE = re.compile(rf"Mã:\s*[\w.\-/]*?(?=[{UPPER}][{LOWER}]|\s|$)")
_STEP_RE = re.compile(r"(?=Bước\s*\d+\s*[.:)\-])")


def split_page_sections(raw_text: str) -> dict[str, str]:
    """Cut the glued page text into its labelled sections, searching labels in page order.

    Labels are searched left to right, so a label quoted earlier in the page
    (e.g. "(Thành phần hồ sơ)" inside the steps) is not taken for the section.
    """
    found: list[tuple[str, int, int]] = []
    position = 0
    for key, label in PAGE_LABELS.items():
        index = raw_text.find(label, position)
        if index < 0:
            continue
        found.append((key, index, index + len(label)))
        position = index + len(label)
    sections = {}
    for i, (key, _, content_start) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else len(raw_text)
        sections[key] = raw_text[content_start:end].strip()
    return sections


def _code_cells(body: str) -> list[tuple[int, int]]:
    """Numbers that end a table row: glued to the next title or at the very end."""
    cells = []
    for match in _LEGAL_NUMBER_RE.finditer(body):
        end = match.end()
        # The next title starts with a capital glued to the number ("...NĐ-CPThông tư"):
        # give that capital back when what follows reads as a new title.
        if end < len(body) and body[end].islower():
            if not (body[end - 1].isupper() and _TITLE_START_RE.match(body, end - 1)):
                continue
            end -= 1
        nxt = body[end : end + 1]
        if not nxt or nxt.isupper() or nxt.isdigit():
            cells.append((match.start(), end))
    return cells


def parse_legal_basis(text: str) -> tuple[list[LegalDocument], ParseStatus]:
    """Parse the legal-basis table into (number, title) pairs."""
    raw = clean(text)
    if not raw:
        return [], ParseStatus.EMPTY
    body = raw[len(_LEGAL_HEADER) :] if raw.startswith(_LEGAL_HEADER) else raw
    documents = []
    position = 0
    for start, end in _code_cells(body):
        title = clean(body[position:start])
        documents.append(LegalDocument(number=body[start:end], title=title))
        position = end
    if not documents:
        return [], ParseStatus.NONE
    leftover = clean(body[position:])
    return documents, ParseStatus.PARTIAL if leftover else ParseStatus.FULL


def parse_steps(text: str) -> tuple[list[str], ParseStatus]:
    """Split the steps text on "Bước N" markers, else on lines."""
    raw = (text or "").strip()
    if not clean(raw):
        return [], ParseStatus.EMPTY
    parts = _STEP_RE.split(raw) if _STEP_RE.search(raw) else raw.splitlines()
    # "- Bước 2:" leaves its bullet at the end of step 1: trim bullets on both ends.
    steps = [clean_prose(re.sub(r"^\s*[-+•]\s*|\s*[-+•]\s*$", "", part)) for part in parts]
    steps = [step for step in steps if step]
    return steps, ParseStatus.FULL if steps else ParseStatus.NONE


def _cut_page_end(raw: str) -> str:
    """``raw`` up to the first of the portal's page-end markers."""
    for marker in _PAGE_END_MARKERS:
        index = raw.find(marker)
        if index >= 0:
            raw = raw[:index]
    return raw


def parse_result(text: str) -> tuple[str, ParseStatus]:
    """Keep the result names; strip result codes and the portal's trailing boilerplate."""
    raw = _cut_page_end(text or "")
    names = [clean_prose(part).rstrip(" .;") for part in _RESULT_CODE_RE.split(raw)]
    names = [name for name in names if name]
    if not names:
        return "", ParseStatus.EMPTY if not clean(text) else ParseStatus.NONE
    return "; ".join(dict.fromkeys(names)), ParseStatus.FULL


def parse_conditions(text: str) -> str:
    """Conditions as running text, without the portal's trailing page boilerplate.

    A few records hold only "Không có thông tinTừ khóaKhông có thông tinMô tả…".
    """
    raw = _cut_page_end(text or "")
    return clean_prose(raw)
