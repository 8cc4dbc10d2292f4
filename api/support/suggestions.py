"""Suggested replies for support staff, read from the whole conversation.

A suggestion is a ready-to-send draft: the very answer the bot would give,
built by the bot's :class:`~actions.compose.AnswerComposer` from domain
responses and rendered like the app renders them in degraded mode, with its
source. What to answer comes from the conversation, not only its last line:

- the procedure (and case) under discussion, from the stored turns and topic;
- the citizen's actual question: the latest message that asks something, so a
  "tôi muốn gặp cán bộ" or a "cảm ơn" is skipped, never searched;
- a follow-up that names nothing ("lệ phí bao nhiêu?") is about the procedure
  under discussion; one that names something is searched on its own and in
  the context of that procedure, and the procedure under discussion stays
  first unless the question, read in context, points elsewhere.

Below a confidence threshold (``suggestions.yml``) nothing is suggested.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions import constants as c
from actions.choices import also_asked
from actions.compose import AnswerComposer
from actions.summary import extra_aspects
from actions.templates import DomainTemplates, Reply
from api.support.schemas import Suggestion, SuggestionSource, SuggestionsOut
from knowledge_base.analysis import Analysis, Lexicon
from knowledge_base.errors import NotFoundError
from knowledge_base.models import OFFICIAL_URL, Decision, Procedure, SearchResult, TargetType
from knowledge_base.resolver import Kind, Query, Resolver
from knowledge_base.service import KnowledgeBase

SETTINGS_FILE = Path(__file__).with_name("suggestions.yml")
MESSAGES_FILE = Path(__file__).with_name("messages.yml")
_OFFICE = re.compile(r"{(office_[a-z_]+)}")
SUGGESTION_COUNT = 3


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    """Read the suggestion settings once."""
    return yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def desk_messages() -> dict[str, str]:
    """The support desk's own messages to citizens (``messages.yml``), read once."""
    return yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


def fill_office(text: str, office: dict[str, str]) -> str:
    """Replace ``{office_…}`` placeholders with the office facts (unknown ones stay)."""
    return _OFFICE.sub(lambda m: office.get(m.group(1), m.group(0)), text)


def procedure_url(procedure: Procedure) -> str:
    """Return the official catalog page of a procedure."""
    return procedure.official_url or OFFICIAL_URL.format(code=procedure.code)


def searchable(question: str) -> str:
    """Collapse spaces and make digits plain before searching.

    NFKC folds compatibility forms ('¹' -> '1'); other non-decimal digits are
    dropped: the knowledge base's number folding calls ``int()`` on ``isdigit()``
    tokens and would raise on them (reported to the knowledge-base owner).
    """
    folded = unicodedata.normalize("NFKC", question or "")
    kept = "".join(ch for ch in folded if ch.isdecimal() or not ch.isdigit())
    return " ".join(kept.split())


@dataclass(frozen=True)
class ContextTurn:
    """One stored citizen turn as the suggestions read it (text already masked)."""

    text: str
    procedure: str | None = None
    decision: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class ConversationContext:
    """What a conversation is about, oldest turn first.

    Attributes:
        turns: the last few citizen turns (button payloads included).
        topic: the conversation's stored topic (``procedure_code``, ``case_index``).

    """

    turns: list[ContextTurn] = field(default_factory=list)
    topic: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Candidate:
    kind: TargetType
    target: str
    confidence: float


class Suggester:
    """Builds reply drafts with the bot's composer from the knowledge base."""

    def __init__(self, kb: KnowledgeBase, templates: DomainTemplates,
                 lexicon: Lexicon | None = None) -> None:
        self.kb = kb
        self.templates = templates
        self.composer = AnswerComposer(templates)
        self.lexicon = lexicon or Lexicon.load()
        self.resolver = Resolver(kb, self.lexicon)
        self.config = settings()

    # --- entry points ---------------------------------------------------------
    def for_text(self, question: str, limit: int = SUGGESTION_COUNT) -> SuggestionsOut:
        """Suggestions for one message read alone (the console's ``?q=``)."""
        question = searchable(question)
        analysis = self.lexicon.analyze(question)
        if not question or not self._is_question(analysis, None):
            return SuggestionsOut(suggestions=[])
        result = self.kb.search(analysis.topic or question, limit=limit + 2)
        return self._drafts(self._hits(result), analysis, {}, limit)

    def for_conversation(self, context: ConversationContext,
                         limit: int = SUGGESTION_COUNT) -> SuggestionsOut:
        """Suggestions for a conversation: its procedure, its case and the question asked."""
        question, analysis = self._question(context.turns)
        code, stored = self._procedure_under_discussion(context)
        current = self.kb.procedure_or_none(code)
        candidates: list[_Candidate] = []
        if analysis is not None and analysis.names_something:
            candidates = self._searched(question, analysis, current, limit)
        if current is not None and not any(
                cand.kind == TargetType.PROCEDURE and cand.target == current.code
                for cand in candidates):
            confidence = stored if stored is not None else self.config["context_confidence"]
            first = not candidates or analysis is None or not analysis.names_something
            entry = _Candidate(TargetType.PROCEDURE, current.code, confidence)
            candidates = [entry, *candidates] if first else [*candidates, entry]
        case = context.topic.get("case_index") if current and \
            context.topic.get("procedure_code") == current.code else None
        return self._drafts(candidates, analysis, {"case_index": case}, limit)

    # --- reading the conversation -----------------------------------------------
    def _is_question(self, analysis: Analysis, decision: str | None) -> bool:
        rules = self.config["not_questions"]
        if decision in rules["decisions"]:
            return False
        if set(analysis.intents) & set(rules["handoff_intents"]):
            return False
        social = set(analysis.intents) & set(rules["social_intents"])
        return not social or bool(analysis.content_words or analysis.aspects)

    def _question(self, turns: list[ContextTurn]) -> tuple[str, Analysis | None]:
        """The latest message that asks something, and its analysis."""
        for turn in reversed(turns):
            text = searchable(turn.text)
            if not text or text.startswith("/"):
                continue
            analysis = self.lexicon.analyze(text)
            if self._is_question(analysis, turn.decision):
                return text, analysis
        return "", None

    @staticmethod
    def _procedure_under_discussion(context: ConversationContext) -> tuple[str | None,
                                                                           float | None]:
        """The latest procedure a turn was about (else the topic's), with its confidence."""
        for turn in reversed(context.turns):
            if turn.procedure:
                return turn.procedure, turn.confidence
        return context.topic.get("procedure_code"), None

    # --- searching ----------------------------------------------------------------
    def _hits(self, result: SearchResult) -> list[_Candidate]:
        """Hits above the threshold, none far below the best."""
        if result.decision == Decision.NOT_FOUND and not result.hits:
            return []
        hits = [_Candidate(hit.type, hit.id, hit.confidence) for hit in result.hits]
        hits = [hit for hit in hits if hit.confidence >= self.config["min_confidence"]]
        if not hits:
            return []
        floor = self.config["relative_floor"] * hits[0].confidence
        return [hit for hit in hits if hit.confidence >= floor]

    def _searched(self, question: str, analysis: Analysis, current: Procedure | None,
                  limit: int) -> list[_Candidate]:
        """The question's hits, with what the bot itself decides in this context first.

        The resolver (the bot's own decision) says whether the question stays on the
        procedure under discussion ("phí bao nhiêu"), names another one ("còn đăng ký
        kết hôn thì sao") or an FAQ entry; the search's other hits follow.
        """
        details = extra_aspects(question)  # as the bot asks it
        resolution = self.resolver.resolve(Query(
            question, current.code if current else None,
            detail=details[0] if details else None))
        hits = self._hits(SearchResult(query=question, decision=Decision.CLARIFY,
                                       confidence=resolution.confidence or 0.0,
                                       hits=list(resolution.hits)))
        chosen: _Candidate | None = None
        if resolution.kind == Kind.ANSWER and resolution.code:
            chosen = _Candidate(TargetType.PROCEDURE, resolution.code,
                                resolution.confidence or self.config["context_confidence"])
        elif resolution.kind == Kind.FAQ and resolution.faq_id is not None:
            chosen = _Candidate(TargetType.FAQ, str(resolution.faq_id),
                                resolution.confidence or 0.0)
        if chosen is None:
            return hits
        return [chosen, *(h for h in hits if (h.kind, h.target) != (chosen.kind, chosen.target))]

    # --- drafting -------------------------------------------------------------------
    def _drafts(self, candidates: list[_Candidate], analysis: Analysis | None,
                state: dict[str, Any], limit: int) -> SuggestionsOut:
        office = self.kb.office_info()
        found: list[Suggestion] = []
        for candidate in candidates:
            try:
                found.append(self._suggestion(candidate, analysis, state, office))
            except NotFoundError:
                continue
            if len(found) == limit:
                break
        return SuggestionsOut(suggestions=found)

    def _suggestion(self, candidate: _Candidate, analysis: Analysis | None,
                    state: dict[str, Any], office: dict[str, str]) -> Suggestion:
        confidence = round(float(candidate.confidence), 3)
        if candidate.kind == TargetType.PROCEDURE:
            procedure = self.kb.procedure(candidate.target)
            replies = self._procedure_replies(procedure, analysis, state.get("case_index"),
                                              office)
            return Suggestion(text=self.render(replies), confidence=confidence,
                              source=SuggestionSource(type="procedure", id=procedure.code,
                                                      url=procedure_url(procedure),
                                                      title=procedure.name))
        faq = self.kb.faq(int(candidate.target))
        return Suggestion(text=self.render(self.composer.faq(faq, office)),
                          confidence=confidence,
                          source=SuggestionSource(type="faq", id=str(faq.id), url=None,
                                                  title=faq.question))

    def _procedure_replies(self, procedure: Procedure, analysis: Analysis | None,
                           case_index: int | None, office: dict[str, str]) -> list[Reply]:
        """The replies the bot gives for this procedure and the aspect asked."""
        if not procedure.answerable:
            return self.composer.unavailable(office)
        aspect = analysis.aspects[0] if analysis and analysis.aspects else c.ASPECT_GENERAL
        cases = procedure.cases
        case = cases[case_index - 1] if case_index and 1 <= case_index <= len(cases) else None
        catalog_date = self.kb.catalog_date()
        if aspect in (c.ASPECT_DOCUMENTS, c.ASPECT_GENERAL) and len(cases) >= 2 and case is None:
            return self.composer.overview_then_case(procedure, aspect, office, catalog_date)
        also = also_asked(analysis, aspect) if analysis else ()
        return self.composer.answer(procedure, aspect, office, catalog_date, case, also)

    def render(self, replies: list[Reply]) -> str:
        """The replies as one typed message: buttons become lines; fits the reply box.

        Whole messages are kept while they fit; the last one (the source) always is.
        """
        config = self.config
        parts: list[str] = []
        for reply in replies:
            if reply.response in config["skip_responses"]:
                continue
            message = self.templates.render(reply)
            lines = [message.text.strip()] if message.text.strip() else []
            lines += [config["button_line"].format(title=b.title) for b in message.buttons]
            if lines:
                parts.append("\n".join(lines))
        separator, limit = config["message_separator"], config["max_chars"]
        if not parts:
            return ""
        kept: list[str] = []
        tail = parts[-1]
        for part in parts[:-1]:
            if len(separator.join([*kept, part, tail])) > limit:
                break
            kept.append(part)
        return separator.join([*kept, tail])[:limit]
