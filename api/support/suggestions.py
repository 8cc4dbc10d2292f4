"""Suggested answers for support staff: the top knowledge-base hits for a citizen's message.

A procedure hit becomes a short factual summary built from its parsed fields
(documents, time and fee per channel, result, source); an FAQ hit gives its
answer with the office facts filled in. Sentence frames live in
``suggestions.yml``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from api.support.schemas import Suggestion, SuggestionSource, SuggestionsOut
from knowledge_base.errors import NotFoundError
from knowledge_base.models import OFFICIAL_URL, Channel, DocumentKind, Procedure, TargetType
from knowledge_base.service import KnowledgeBase

FRAMES_FILE = Path(__file__).with_name("suggestions.yml")
SUGGESTION_COUNT = 3
_PLACEHOLDER = re.compile(r"{(office_[a-z_]+|hotline|national_portal_url|city_portal_url)}")


@lru_cache(maxsize=1)
def frames() -> dict[str, Any]:
    """Read the sentence frames once."""
    return yaml.safe_load(FRAMES_FILE.read_text(encoding="utf-8"))


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split()).rstrip(".;,: ")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _time(channel: Channel, frame: dict[str, str]) -> str:
    time = channel.processing_time
    if time.unit and time.text:
        return time.text
    if time.value is not None:
        value = f"{time.value:g}"
        return frame["time_unitless"].format(value=value)
    return time.text or frame["not_stated"]


def _documents(procedure: Procedure, frame: dict[str, str], limits: dict[str, int]) -> str:
    if procedure.cases:
        shown = procedure.cases[: limits["cases"]]
        return frame["documents_cases"].format(count=len(procedure.cases),
                                               cases="; ".join(_cut(c, 80) for c in shown))
    names = [d.name for g in procedure.document_groups if g.kind == DocumentKind.SUBMIT
             for d in g.documents]
    if not names:
        return ""
    shown = "; ".join(_cut(n, 90) for n in names[: limits["documents"]])
    extra = len(names) - limits["documents"]
    if extra > 0:
        return frame["documents_more"].format(documents=shown, more=extra)
    return frame["documents"].format(documents=shown)


def _channel_lines(procedure: Procedure, data: dict[str, Any]) -> list[str]:
    """One line per distinct (time, fee), naming every method that shares it."""
    frame, limits = data["procedure"], data["limits"]
    grouped: dict[tuple[str, str], list[str]] = {}
    for channel in procedure.channels:
        fee = _cut(channel.fee.text, limits["fee_chars"]).rstrip(".") or frame["not_stated"]
        method = data["methods"].get(channel.method.value, channel.method.value)
        grouped.setdefault((_time(channel, frame), fee), []).append(method)
    return [frame["channel"].format(methods=data["method_separator"].join(methods), time=time,
                                    fee=fee) for (time, fee), methods in grouped.items()]


def procedure_summary(procedure: Procedure) -> str:
    """Summarise a procedure in a few factual lines, from its parsed catalog fields."""
    data = frames()
    frame, limits = data["procedure"], data["limits"]
    lines = [frame["title"].format(name=procedure.name, code=procedure.code),
             _documents(procedure, frame, limits)]
    lines += _channel_lines(procedure, data)
    if procedure.result:
        lines.append(frame["result"].format(result=_cut(procedure.result, limits["result_chars"])))
    url = procedure_url(procedure)
    lines.append(frame["source"].format(decision=procedure.decision, url=url)
                 if procedure.decision else frame["source_no_decision"].format(url=url))
    return "\n".join(line for line in lines if line)


def procedure_url(procedure: Procedure) -> str:
    """Return the official catalog page of a procedure."""
    return procedure.official_url or OFFICIAL_URL.format(code=procedure.code)


def fill_office(text: str, office: dict[str, str]) -> str:
    """Replace ``{office_…}`` placeholders of an FAQ answer with the office facts."""
    return _PLACEHOLDER.sub(lambda m: office.get(m.group(1), m.group(0)), text)


def _searchable(question: str) -> str:
    """Collapse spaces and make digits plain before searching.

    NFKC folds compatibility forms ('¹' -> '1'); other non-decimal digits are
    dropped: the knowledge base's number folding calls ``int()`` on ``isdigit()``
    tokens and would raise on them (reported to the knowledge-base owner).
    """
    folded = unicodedata.normalize("NFKC", question or "")
    kept = "".join(c for c in folded if c.isdecimal() or not c.isdigit())
    return " ".join(kept.split())


def suggest(kb: KnowledgeBase, question: str, limit: int = SUGGESTION_COUNT) -> SuggestionsOut:
    """Top knowledge-base answers for ``question``, each with its source."""
    question = _searchable(question)
    if not question:
        return SuggestionsOut(suggestions=[])
    result = kb.search(question, limit=limit + 2)
    office = kb.office_info()
    found: list[Suggestion] = []
    for hit in result.hits:
        try:
            found.append(_suggestion(kb, hit.type, hit.id, hit.confidence, office))
        except NotFoundError:
            continue
        if len(found) == limit:
            break
    return SuggestionsOut(suggestions=found)


def _suggestion(kb: KnowledgeBase, kind: TargetType, target: str, confidence: float,
                office: dict[str, str]) -> Suggestion:
    if kind == TargetType.PROCEDURE:
        procedure = kb.procedure(target)
        return Suggestion(text=procedure_summary(procedure), confidence=round(confidence, 3),
                          source=SuggestionSource(type="procedure", id=procedure.code,
                                                  url=procedure_url(procedure),
                                                  title=procedure.name))
    faq = kb.faq(int(target))
    text = frames()["faq"]["answer"].format(answer=fill_office(faq.answer, office))
    return Suggestion(text=text, confidence=round(confidence, 3),
                      source=SuggestionSource(type="faq", id=str(faq.id), url=None,
                                              title=faq.question))
