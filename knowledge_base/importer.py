"""Read the national portal's per-procedure JSON files into typed procedures.

Nothing here touches the database: :func:`read_catalog` returns procedures, the
per-field parse report and the problems it met, and the store applies them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.models import OFFICIAL_URL, ParseStatus, Procedure
from knowledge_base.parsing import (
    parse_channels,
    parse_documents,
    parse_legal_basis,
    parse_result,
    parse_steps,
    split_page_sections,
)
from knowledge_base.parsing.common import clean
from knowledge_base.parsing.documents import HEADER as DOCUMENTS_HEADER
from knowledge_base.parsing.misc import parse_conditions

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("ma_thu_tuc", "ten_thu_tuc")
FLAG_MISMATCHED = "mismatched_page"
FLAG_DUPLICATE_PAGE = "duplicate_page"
_CODE_RE = re.compile(r"^\d+\.\d{6}$")
_PAGE_CODE_RE = re.compile(r"Mã thủ tục\s*(\d+\.\d{6})")


class CatalogError(Exception):
    """A catalog file that cannot be imported, with the file it came from."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class CatalogReadResult:
    """Everything one pass over the catalog directory produced."""

    procedures: list[Procedure] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    errors: list[CatalogError] = field(default_factory=list)
    report: dict[str, Counter[str]] = field(default_factory=dict)

    def count(self, name: str, status: ParseStatus) -> None:
        """Count one field's parse status for the report."""
        self.report.setdefault(name, Counter())[status.value] += 1


def _text(record: dict[str, object], key: str) -> str:
    value = record.get(key)
    return clean(value) if isinstance(value, str) else ""


def _load(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(path, f"cannot read file ({exc.__class__.__name__})") from exc
    if not text.strip():
        raise CatalogError(path, "empty file")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(path, f"invalid JSON at line {exc.lineno} column {exc.colno}") from exc
    if not isinstance(record, dict):
        raise CatalogError(path, "top level is not a JSON object")
    missing = [key for key in REQUIRED_FIELDS if not _text(record, key)]
    if missing:
        raise CatalogError(path, f"missing required field(s): {', '.join(missing)}")
    code = _text(record, "ma_thu_tuc")
    if not _CODE_RE.match(code):
        raise CatalogError(path, f"malformed procedure code {code!r}")
    return record


def _documents_source(record: dict[str, object], sections: dict[str, str]) -> tuple[str, bool]:
    """The documents field is sometimes shifted (holds the steps); fall back to the page text."""
    value = record.get("thanh_phan_ho_so")
    text = value if isinstance(value, str) else ""
    page = sections.get("thanh_phan_ho_so", "")
    if DOCUMENTS_HEADER not in text and DOCUMENTS_HEADER in page:
        return page, True
    return text, False


def build_procedure(
    record: dict[str, object], ministry: str = ""
) -> tuple[Procedure, dict[str, ParseStatus]]:
    """Turn one portal record into a typed procedure and the status of each parsed field."""
    code = _text(record, "ma_thu_tuc")
    raw_text = record.get("raw_text") if isinstance(record.get("raw_text"), str) else ""
    sections = split_page_sections(str(raw_text))
    documents_text, recovered = _documents_source(record, sections)

    channels, channels_status = parse_channels(str(record.get("cach_thuc_thuc_hien") or ""))
    groups, notes, documents_status = parse_documents(documents_text, _text(record, "ten_thu_tuc"))
    if recovered and documents_status == ParseStatus.FULL:
        documents_status = ParseStatus.PARTIAL
    legal, legal_status = parse_legal_basis(str(record.get("can_cu_phap_ly") or ""))
    steps, steps_status = parse_steps(str(record.get("trinh_tu_thuc_hien") or ""))
    result, result_status = parse_result(str(record.get("ket_qua_xu_ly") or ""))
    status = {
        "channels": channels_status,
        "documents": documents_status,
        "legal_basis": legal_status,
        "steps": steps_status,
        "result": result_status,
    }

    flags = []
    page_code = _PAGE_CODE_RE.search(str(raw_text))
    if page_code and page_code.group(1) != code:
        flags.append(f"{FLAG_MISMATCHED}:{page_code.group(1)}")

    procedure = Procedure(
        code=code,
        name=_text(record, "ten_thu_tuc"),
        field=_text(record, "linh_vuc"),
        ministry=ministry,
        level=_text(record, "cap_thuc_hien"),
        kind=_text(record, "loai_thu_tuc"),
        audience=_text(record, "doi_tuong_thuc_hien"),
        agency=_text(record, "co_quan_thuc_hien"),
        competent_agency=_text(record, "co_quan_co_tham_quyen"),
        decision=_text(record, "so_quyet_dinh"),
        official_url=OFFICIAL_URL.format(code=code),
        portal_url=_text(record, "detail_url"),
        steps=steps,
        conditions=parse_conditions(str(record.get("yeu_cau_dieu_kien") or "")),
        result=result,
        legal_basis=legal,
        channels=channels,
        document_groups=groups,
        notes=notes,
        flags=flags,
        parse_status=status,
        raw={
            "cach_thuc_thuc_hien": str(record.get("cach_thuc_thuc_hien") or ""),
            "thanh_phan_ho_so": documents_text,
            "can_cu_phap_ly": str(record.get("can_cu_phap_ly") or ""),
            "trinh_tu_thuc_hien": str(record.get("trinh_tu_thuc_hien") or ""),
            "ket_qua_xu_ly": str(record.get("ket_qua_xu_ly") or ""),
        },
    )
    return procedure, status


def iter_catalog_files(source: Path) -> Iterator[Path]:
    """Yield catalog JSON files in a stable order."""
    yield from sorted(source.rglob("*.json"))


def read_catalog(source: Path) -> CatalogReadResult:
    """Parse every file under ``source``; a broken file is reported, the others still load."""
    if not source.is_dir():
        raise FileNotFoundError(f"catalog directory not found: {source}")
    result = CatalogReadResult()
    by_page: dict[str, list[Procedure]] = {}
    for path in iter_catalog_files(source):
        try:
            record = _load(path)
        except CatalogError as error:
            logger.warning("catalog file skipped: %s", error)
            result.errors.append(error)
            continue
        procedure, status = build_procedure(record, ministry=path.parent.name)
        if procedure.code in result.hashes:
            result.errors.append(CatalogError(path, f"duplicate code {procedure.code}"))
            continue
        for name, value in status.items():
            result.count(name, value)
        canonical = json.dumps(record, ensure_ascii=False, sort_keys=True)
        result.hashes[procedure.code] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        result.paths[procedure.code] = str(path)
        result.procedures.append(procedure)
        page = _text(record, "detail_url")
        if page:
            by_page.setdefault(page, []).append(procedure)
    _flag_shared_pages(by_page)
    return result


def _flag_shared_pages(by_page: dict[str, list[Procedure]]) -> None:
    """Several codes saved from one portal page: keep the one the page names, flag the rest."""
    for procedures in by_page.values():
        if len(procedures) < 2:
            continue
        for procedure in procedures:
            if procedure.flags:
                continue
            others = [p.code for p in procedures if p.code != procedure.code and not p.flags]
            if others:
                procedure.flags.append(f"{FLAG_DUPLICATE_PAGE}:{','.join(others)}")
