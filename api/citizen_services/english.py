"""English for foreign residents: detect an English message, answer from team-written data.

The summaries in ``english.yml`` say what a procedure is in plain English; the
facts (documents as officially listed, fee, time, online channel, official name,
decision and link) come from the catalog record through the knowledge base, so
an English answer never states what the catalog does not. A question outside
the summaries gets a note in English, the Vietnamese answer and an officer button.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.formatting import shorten
from knowledge_base.errors import NotFoundError
from knowledge_base.models import Channel, DocumentKind, Procedure
from knowledge_base.service import KnowledgeBase

ENGLISH_FILE = Path(__file__).with_name("english.yml")
_WORD = re.compile(r"[a-z']+")
MIN_ENGLISH_WORDS = 2
DOCUMENT_CHARS = 160
MAX_DOCUMENTS = 12
GREETINGS = ("hello", "hi", "help", "english", "what can you do", "who are you")


@dataclass(frozen=True)
class EnglishEntry:
    """One team-written summary."""

    code: str
    name_en: str
    name_vi: str
    summary: str
    keywords: tuple[str, ...]


def has_vietnamese_letters(text: str) -> bool:
    """Diacritics or đ: the message is Vietnamese whatever its words."""
    if "đ" in text.lower():
        return True
    return any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", text))


class EnglishDesk:
    """Detects English and answers the procedures the data covers."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.english_words = frozenset(data["detect"]["english"])
        self.vietnamese_words = frozenset(data["detect"]["vietnamese"])
        self.texts: dict[str, Any] = data["texts"]
        self.entries = [EnglishEntry(e["code"], e["name_en"], e["name_vi"],
                                     " ".join(e["summary"].split()),
                                     tuple(k.lower() for k in e["keywords"]))
                        for e in data["procedures"]]

    @classmethod
    def load(cls, path: Path = ENGLISH_FILE) -> EnglishDesk:
        """Read ``english.yml``."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def is_english(self, text: str) -> bool:
        """No Vietnamese letters, ≥ 2 English words, more English than unaccented Vietnamese."""
        if has_vietnamese_letters(text):
            return False
        words = _WORD.findall(text.lower())
        english = sum(w in self.english_words for w in words)
        vietnamese = sum(w in self.vietnamese_words and w not in self.english_words
                         for w in words)
        return english >= MIN_ENGLISH_WORDS and english > vietnamese

    def text(self, key: str, **values: str) -> str:
        """An interface text with its placeholders filled."""
        return str(self.texts[key]).format(**values)

    def matches(self, text: str) -> list[EnglishEntry]:
        """Entries whose keywords the message names, most covered first (longer phrases win)."""
        lowered = f" {' '.join(_WORD.findall(text.lower()))} "
        scored = [(sum(len(k) for k in e.keywords if f" {k} " in lowered), i, e)
                  for i, e in enumerate(self.entries)]
        return [e for score, _, e in sorted(scored, key=lambda t: (-t[0], t[1])) if score > 0]

    def is_greeting(self, text: str) -> bool:
        """Hello / what can you do: answered with what the assistant does in English."""
        lowered = " ".join(_WORD.findall(text.lower()))
        return any(lowered.startswith(g) or f" {g}" in lowered for g in GREETINGS)

    # --- answers ------------------------------------------------------------------
    def capabilities(self, office: dict[str, str]) -> list[str]:
        """What the assistant can do in English."""
        return [" ".join(self.text("capabilities", **office).split())]

    def answer(self, kb: KnowledgeBase, entry: EnglishEntry,
               office: dict[str, str]) -> list[str] | None:
        """Summary, documents, then fee/time/where/online/source; None if not in the store."""
        try:
            procedure = kb.procedure(entry.code)
        except NotFoundError:
            return None
        if not procedure.answerable:
            return None
        head = "\n".join([entry.name_en, self.text("official_name", name=procedure.name), "",
                          entry.summary])
        return [head, self._documents(procedure), self._facts(procedure, office)]

    def _documents(self, procedure: Procedure) -> str:
        lines = [self.text("documents")]
        count = 0
        for group in procedure.document_groups:
            label = "present" if group.kind == DocumentKind.PRESENT else "submit"
            heading = self.text(label)
            if group.case:
                heading = f"{self.text('case', case=shorten(group.case, 120))} — {heading}"
            lines.append(heading)
            for document in group.documents:
                if count >= MAX_DOCUMENTS:
                    break
                lines.append(f"- {shorten(document.name, DOCUMENT_CHARS)}")
                count += 1
        return "\n".join(lines)

    def _facts(self, procedure: Procedure, office: dict[str, str]) -> str:
        online = next((c for c in procedure.channels if c.method.value == "truc_tuyen"), None)
        lines = [self.text("fee", fee=self._by_method(procedure.channels, self._fee)),
                 self.text("time", time=self._by_method(procedure.channels, self._time)),
                 self.text("where", office_hours_en=self.text("office_hours"), **office),
                 self.text("online", url=procedure.portal_url or office.get(
                     "national_portal_url", "")) if online else self.text("no_online"),
                 self.text("source", code=procedure.code, decision=procedure.decision,
                           url=procedure.official_url)]
        return "\n".join(lines)

    def _by_method(self, channels: list[Channel], describe: Any) -> str:
        values: dict[str, list[str]] = {}
        for channel in channels:
            values.setdefault(describe(channel), []).append(
                self.texts["methods"].get(channel.method.value, channel.method.value))
        if len(values) == 1:
            return next(iter(values))
        return "; ".join(f"{', '.join(methods)}: {value}" for value, methods in values.items())

    def _fee(self, channel: Channel) -> str:
        fee = channel.fee
        per = next((v for k, v in self.texts["per"].items() if k in fee.text), "")
        if fee.amount_vnd == 0:
            return self.text("fee_free")
        if fee.amount_vnd:
            return f"{fee.amount_vnd:,} VND {per}".strip()
        if "USD" in fee.text:
            amount = re.search(r"[\d.,]+\s*USD", fee.text)
            return f"{amount.group(0)} {per}".strip() if amount else self.text("fee_unknown")
        if "Hội đồng nhân dân" in fee.text:
            return self.text("fee_city")
        return self.text("fee_unknown")

    def _time(self, channel: Channel) -> str:
        time = channel.processing_time
        if time.value is None:
            return self.text("time_unknown")
        value = f"{time.value:g}"
        unit = self.texts["units"].get((time.unit or "").lower())
        return f"{value} {unit}" if unit else self.text("time_no_unit", value=value)
