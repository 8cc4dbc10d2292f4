"""The plain-language layer: short citizen names over the catalog, and facts beyond it.

Names come, in order, from an admin's edit (database table, audited, kept across
catalog re-imports), the team-written ``data/plain_names.yml``, or are derived
from the official text (its first clause). A short name never replaces the
official text: it is shown first, with the official text one tap away.

Facts (``data/facts.yml``) add what the catalog lacks and cite their legal
source: units of bare times, Hà Nội amounts of fees left to the province,
time-limited reductions (the amount payable today), official form codes, and
the source's spelling slips fixed for display. Catalog fees, times and
documents are never altered.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.settings import DATA_DIR
from knowledge_base.text import fold as _fold

MAX_DOCUMENT_NAME = 110  # a short name longer than this is cut at a word boundary
MIN_CLAUSE = 12  # a first clause shorter than this is no name ("Bản sao")
_CLAUSE_BREAKS = re.compile(r"; |\. | \((?!mẫu|Mẫu)|, trường hợp | trong trường hợp ")
_FILE_EXT = re.compile(r"\.(docx?|pdf|xlsx?)$", re.IGNORECASE)
_FORM_CODE = re.compile(r"([A-Z]{2,4})[ ._-]?(\d{2})")
_GLUED = re.compile(r"[^\s/]{13,}")


def fold(text: str) -> str:
    """Lowercase, single-spaced, without diacritics: how names and markers are compared."""
    return _fold(" ".join(text.split())).lower()


def document_key(official: str) -> str:
    """A stable key of a document's official text (admin edits are keyed by it)."""
    text = " ".join(official.split())
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()[:16]


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def derive_document_name(official: str) -> str:
    """The first clause of the official text, at most ``MAX_DOCUMENT_NAME`` characters.

    "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì …" → "Giấy chứng sinh".
    The clause is the citizen's name for the paper; the rest (exceptions, legal
    references) stays in the official text shown one tap away.
    """
    text = " ".join(official.split()).rstrip(" .;")
    match = next((m for m in _CLAUSE_BREAKS.finditer(text) if m.start() >= MIN_CLAUSE), None)
    head = text[: match.start()] if match else text
    return _cut(head.rstrip(" ,;:"), MAX_DOCUMENT_NAME)


def derive_procedure_name(official: str) -> str:
    """"Thủ tục đăng ký khai sinh" → "Đăng ký khai sinh" (nothing else is guessed)."""
    text = " ".join(official.split())
    if fold(text).startswith("thu tuc ") and len(text) > len("Thủ tục ") + 3:
        text = text[len("Thủ tục "):]
        text = text[0].upper() + text[1:]
    return _cut(text, 90)


@dataclass(frozen=True)
class Reduction:
    """A time-limited fee reduction ("50% until 31/12/2026") and its legal source."""

    percent: int
    start: date
    end: date
    methods: tuple[str, ...]
    source: str

    def applies(self, today: date, method: str) -> bool:
        """Whether the reduction is in force today for ``method``."""
        return self.start <= today <= self.end and (not self.methods or method in self.methods)


@dataclass
class PlainData:
    """Team-written names and facts (YAML), plus admin edits merged in at read time."""

    procedures: dict[str, str] = field(default_factory=dict)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (folded prefix, name)
    time_units: dict[str, dict[str, str]] = field(default_factory=dict)
    province_fees: dict[str, dict[str, str]] = field(default_factory=dict)
    province_markers: tuple[str, ...] = ()
    reductions: dict[str, Reduction] = field(default_factory=dict)
    form_codes: dict[str, dict[str, str]] = field(default_factory=dict)
    typos: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> PlainData:
        """Read ``plain_names.yml`` and ``facts.yml``."""
        names = _yaml(data_dir / "plain_names.yml")
        facts = _yaml(data_dir / "facts.yml")
        documents = sorted(((fold(" ".join(k.split())), str(v))
                            for k, v in (names.get("documents") or {}).items()),
                           key=lambda item: len(item[0]), reverse=True)
        reductions = {
            str(code): Reduction(int(r["percent"]), _date(r["start"]), _date(r["end"]),
                                 tuple(r.get("methods") or ()), str(r["source"]))
            for code, r in (facts.get("fee_reductions") or {}).items()}
        return cls(
            procedures={str(k): str(v) for k, v in (names.get("procedures") or {}).items()},
            documents=documents,
            time_units={str(k): v for k, v in (facts.get("time_units") or {}).items()},
            province_fees={str(k): v for k, v in (facts.get("province_fees") or {}).items()},
            province_markers=tuple(fold(m) for m in facts.get("province_fee_markers") or ()),
            reductions=reductions,
            form_codes={str(k): v for k, v in (facts.get("form_codes") or {}).items()},
            typos={str(k): str(v) for k, v in (facts.get("typos") or {}).items()},
        )

    # --- names -------------------------------------------------------------
    def procedure_name(self, code: str, official: str,
                       edits: dict[str, str] | None = None) -> str:
        """The short name: an admin's edit, the team's, or the official one lightly trimmed."""
        edited = (edits or {}).get(f"{code}:name")
        return edited or self.procedures.get(code) or derive_procedure_name(official)

    def document_name(self, code: str, official: str,
                      edits: dict[str, str] | None = None) -> str:
        """The short name of one document of procedure ``code``."""
        edited = (edits or {}).get(f"{code}:{document_key(official)}")
        if edited:
            return edited
        folded = fold(" ".join(official.split()))
        for prefix, name in self.documents:
            if folded.startswith(prefix):
                return name
        return self.fix(derive_document_name(official))

    # --- facts -------------------------------------------------------------
    def fix(self, text: str) -> str:
        """The source's spelling slips fixed for display ("trực tuyển" → "trực tuyến")."""
        for wrong, right in self.typos.items():
            text = text.replace(wrong, right)
        return text

    def form_code(self, form: str | None) -> str | None:
        """The official form code in an attachment name, if the table knows it."""
        if not form:
            return None
        for prefix, number in _FORM_CODE.findall(form):
            code = f"{prefix}{number}"
            if code in self.form_codes:
                return code
        return None

    def form_label(self, form: str | None) -> str | None:
        """What to show for a form: its code ("CT01"), its readable name, or nothing if garbled."""
        code = self.form_code(form)
        if code:
            return code
        text = _FILE_EXT.sub("", " ".join((form or "").split())).strip()
        if not text or _GLUED.search(text):
            return None  # "1.nxinnhnconnui": an attachment name that says nothing
        return text

    def province_fee(self, code: str, fee_text: str) -> dict[str, str] | None:
        """{"amount", "source"} for a fee left to the province, or {} when none is known.

        None: the fee is not a provincial one.
        """
        folded = fold(fee_text)
        if not any(marker in folded for marker in self.province_markers):
            return None
        return dict(self.province_fees.get(code) or {})

    def reduction(self, code: str, method: str, today: date) -> Reduction | None:
        """The reduction in force today for this procedure and method, if any."""
        item = self.reductions.get(code)
        return item if item and item.applies(today, method) else None

    def time_unit(self, code: str) -> dict[str, str] | None:
        """{"unit", "source"} for a bare time of procedure ``code``, if a source gives it."""
        return self.time_units.get(code)


def _yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
