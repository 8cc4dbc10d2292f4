"""The conversation logic shared by the Rasa actions and the app's degraded mode.

Rasa tells *what* is asked (the intent); this module decides *which procedure*
it is about and what to answer, from the knowledge base:

- a message that names a procedure switches the topic; one that names none
  ("còn lệ phí thì sao?") is a follow-up about the procedure under discussion;
- the knowledge base's decision is followed: answer, clarify with up to three
  buttons, or not found (FAQ entries are answered as they are); a no naming a
  procedure ("không phải khai sinh") drops it and asks what is meant;
- a follow-up asking who must come, a deadline or who may file gets that line alone;
- procedures whose documents differ by case ask which case applies first;
- two misses in a row hand the conversation to a human.

State lives in Rasa slots (or, in degraded mode, in the app database), so this
module is a pure function of (state, message) plus knowledge-base reads.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from actions import constants as c
from actions.cache import TtlCache
from actions.choices import also_asked, case_by_words, case_named, ordinal_in
from actions.compose import AnswerComposer
from actions.smalltalk import SmallTalk
from actions.state import DialogueState, Message, Outcome, TurnInfo
from actions.summary import (
    ASPECT_PRESENCE,
    DETAIL_ASPECTS,
    extra_aspects,
    names_documents,
    ordinary_case_index,
)
from knowledge_base.analysis import Analysis, Lexicon
from knowledge_base.errors import KnowledgeBaseError, NotFoundError
from knowledge_base.models import Decision, Procedure, SearchHit, TargetType
from knowledge_base.resolver import Kind, Query, Resolution, Resolver
from knowledge_base.service import KnowledgeBase

__all__ = ["Dialogue", "DialogueState", "Message", "Outcome", "TurnInfo"]
logger = logging.getLogger(__name__)
FACTS_TTL_SECONDS = 5.0  # office facts and catalog date: a few seconds of caching


class Dialogue(SmallTalk):
    """Answers one message given the conversation state."""

    def __init__(self, kb: KnowledgeBase, composer: AnswerComposer, lexicon: Lexicon) -> None:
        self.kb = kb
        self.composer = composer
        self.lexicon = lexicon
        self.resolver = Resolver(kb, lexicon)
        self._read_as_question = {}
        self._facts = TtlCache(FACTS_TTL_SECONDS)

    # --- entry points --------------------------------------------------------
    def answer(self, state: DialogueState, message: Message) -> Outcome:
        """Handle a question, a button choice or a message Rasa could not classify."""
        state = replace(state, procedure_options=list(state.procedure_options))
        if message.text.startswith("/"):
            message = replace(message, text="")  # a button payload names no procedure
        try:
            outcome = self._choice(state, message) or self._question(state, message)
        except KnowledgeBaseError:
            logger.exception("knowledge base error while answering")
            return self._not_found(state, message, None)
        if outcome.state.handed_off and outcome.turn.decision in c.ANSWERED_DECISIONS:
            outcome.state = replace(outcome.state, handed_off=False)  # the bot carries on
        return outcome

    def handoff(self, state: DialogueState, intent: str, reason: str) -> Outcome:
        """Hand the conversation to staff (the app marks it as waiting)."""
        new = replace(state, miss_count=0, human_offered=False, awaiting=None, handed_off=True)
        return Outcome(self.composer.handoff(self._office(), reason), new,
                       TurnInfo(intent, c.DECISION_HANDOFF), handoff_reason=reason)

    # --- choices (buttons or typed ordinals) -------------------------------
    def _choice(self, state: DialogueState, message: Message) -> Outcome | None:
        entities = message.entities
        aspect = entities.get(c.ENTITY_ASPECT) or state.pending_aspect or c.ASPECT_GENERAL
        if entities.get(c.ENTITY_FAQ_ID):
            return self._faq(state, message, int(entities[c.ENTITY_FAQ_ID]), None)
        if entities.get(c.ENTITY_PROCEDURE_CODE):
            return self._procedure(state, message, entities[c.ENTITY_PROCEDURE_CODE], aspect, None)
        if entities.get(c.ENTITY_CASE_INDEX) and state.procedure_code:
            new = replace(state, case_index=int(entities[c.ENTITY_CASE_INDEX]))
            return self._procedure(new, message, state.procedure_code, aspect, None)
        if state.awaiting == c.AWAITING_PROCEDURE and state.procedure_options:
            index = ordinal_in(message.text)
            if index is not None and message.intent in (c.INTENT_CHOOSE_PROCEDURE,
                                                        c.INTENT_CHOOSE_CASE):
                options = state.procedure_options
                code = options[-1] if index == -1 else options[min(index, len(options)) - 1]
                return self._procedure(state, message, code, aspect, None)
        if state.awaiting == c.AWAITING_CASE and state.procedure_code:
            case_index = self._match_case(state.procedure_code, message)
            if case_index is not None:
                new = replace(state, case_index=case_index)
                return self._procedure(new, message, state.procedure_code, aspect, None)
        return None

    def _match_case(self, code: str, message: Message) -> int | None:
        """The case the citizen picked: an ordinal ("trường hợp 2") or words of one case only."""
        procedure = self.kb.procedure(code)
        cases = procedure.cases
        if not cases:
            return None
        index = ordinal_in(message.text) if message.intent in (
            c.INTENT_CHOOSE_CASE, c.INTENT_CHOOSE_PROCEDURE) else None
        if index is not None:
            return len(cases) if index == -1 else min(index, len(cases))
        return case_by_words(procedure.name, cases, self.lexicon.analyze(message.text))

    # --- questions ----------------------------------------------------------
    def _question(self, state: DialogueState, message: Message) -> Outcome:
        analysis = self.lexicon.analyze(message.text)
        aspect = self._aspect(message, analysis)
        if aspect == c.ASPECT_GENERAL and state.awaiting == c.AWAITING_PROCEDURE \
                and state.pending_aspect:
            aspect = state.pending_aspect  # "lệ phí bao nhiêu?" … "đăng ký tạm trú": its fee
        if message.intent in (c.INTENT_CHOOSE_PROCEDURE, c.INTENT_CHOOSE_CASE) \
                and ordinal_in(message.text) is not None:  # "cái thứ 2", nothing offered
            return self._follow_up(state, message, aspect)
        offered = state.procedure_options if state.awaiting == c.AWAITING_PROCEDURE else []
        details = extra_aspects(message.text)
        resolution = self.resolver.resolve(Query(
            message.text, state.procedure_code, strict=message.intent == c.INTENT_OUT_OF_SCOPE,
            options=tuple(offered), detail=details[0] if details else None))
        return self._render(state, message, aspect, resolution)

    def _render(self, state: DialogueState, message: Message, aspect: str,
                resolution: Resolution) -> Outcome:
        """Turn the resolver's decision into replies and the new state."""
        kind = resolution.kind
        if kind == Kind.FOLLOW_UP:
            return self._follow_up(state, message, aspect)
        if kind == Kind.ANSWER and resolution.code:
            return self._procedure(state, message, resolution.code, aspect,
                                   resolution.confidence)
        if kind == Kind.FAQ and resolution.faq_id is not None:
            return self._faq(state, message, resolution.faq_id, resolution.confidence)
        if kind == Kind.REJECTED and resolution.rejected:
            return self._rejected(state, message, resolution.rejected)
        if kind == Kind.CLARIFY:
            codes = [h.id for h in resolution.options if h.type == TargetType.PROCEDURE]
            # a yes now answers "Ý bạn là…?", not an offer of staff made turns before
            new = replace(state, pending_aspect=aspect, awaiting=c.AWAITING_PROCEDURE,
                          procedure_options=codes, human_offered=False)
            # "tách thửa" (the land office's) with a button for "Tách hộ": say both
            aside = self.kb.out_of_scope_reply(resolution.topic)
            replies = self.composer.elsewhere_aside(aside) if aside else []
            replies += self.composer.clarify(list(resolution.options), aspect)
            return Outcome(replies, new,
                           self._turn(message, c.DECISION_CLARIFY, None, resolution.confidence))
        reply = self.kb.out_of_scope_reply(resolution.topic)
        if reply is not None and (not state.procedure_code or resolution.analysis.switches):
            # mid-conversation only after "còn…": "ông em mất ở bệnh viện thì sao" on
            # khai tử is a detail of it, however sure the hospital topic is
            return self._elsewhere(state, message, reply, resolution.confidence)
        return self._not_found(state, message, resolution.confidence)

    def _elsewhere(self, state: DialogueState, message: Message, reply: str,
                   confidence: float | None) -> Outcome:
        """A question about something another office handles: where to go instead.

        It is answered, so it counts as no miss (two misses hand the conversation to
        staff); the reply still offers a human.
        """
        new = replace(state, human_offered=True, awaiting=None, procedure_options=[])
        return Outcome(self.composer.elsewhere(reply, self._office()), new,
                       self._turn(message, c.DECISION_NOT_FOUND, None, confidence))

    def _aspect(self, message: Message, analysis: Analysis) -> str:
        """The asked aspect: the intent's, unless the words disagree.

        "làm giấy khai sinh cho bé thì cần j ạ" is often classified as a general
        question; its words still say it asks for the documents. A topic classified as
        asking where ("ok giờ đăng ký thường trú cho cháu": the classifier reads "giờ" as
        office hours) without any aspect word is a general question about it.
        """
        aspect = c.INTENT_TO_ASPECT.get(message.intent, c.ASPECT_GENERAL)
        if aspect == c.ASPECT_GENERAL and analysis.aspects:
            return analysis.aspects[0]
        unsure = (message.intent_confidence or 1.0) < c.UNSURE_ASPECT_CONFIDENCE
        where_misread = aspect == c.ASPECT_WHERE and analysis.names_something
        if aspect != c.ASPECT_GENERAL and not analysis.aspects and (unsure or where_misread):
            # "đổi tên cho con được không ạ" is not about going online, nor "ok giờ đăng
            # ký thường trú cho cháu" about office hours ("giờ" is now)
            return c.ASPECT_GENERAL
        return aspect

    def _follow_up(self, state: DialogueState, message: Message, aspect: str) -> Outcome:
        if state.awaiting == c.AWAITING_PROCEDURE and len(state.procedure_options) == 1:
            # "Có phải bạn hỏi về …?" then "mất mấy ngày": the one candidate offered
            return self._procedure(state, message, state.procedure_options[0], aspect, None)
        if state.awaiting == c.AWAITING_PROCEDURE and len(state.procedure_options) > 1:
            return self._offer_again(state, message, aspect)
        if state.procedure_code:
            return self._procedure(state, message, state.procedure_code, aspect, None)
        # Fees, times, documents and steps belong to one procedure: an FAQ matched on
        # "bao lâu thì có" alone answers something else. Office hours or the portal do not.
        result = self.kb.search(message.text) if aspect in c.OFFICE_ASPECTS else None
        top = result.top if result else None
        if result and result.decision == Decision.ANSWER and top and top.type == TargetType.FAQ:
            return self._faq(state, message, int(top.id), result.confidence)
        if aspect == c.ASPECT_WHERE:
            return Outcome(self.composer.office_info(self._office()), state,
                           self._turn(message, c.DECISION_ANSWER, None, None))
        new = replace(state, pending_aspect=aspect, awaiting=c.AWAITING_PROCEDURE,
                      procedure_options=[])
        return Outcome(self.composer.ask_which_procedure(), new,
                       self._turn(message, c.DECISION_CLARIFY, None, None))

    def _offer_again(self, state: DialogueState, message: Message, aspect: str) -> Outcome:
        """Buttons were offered, then "mất bao lâu": offer the same ones for the new aspect."""
        hits = []
        for code in state.procedure_options:
            try:
                name = self.kb.procedure(code).name
            except NotFoundError:
                continue
            hits.append(SearchHit(type=TargetType.PROCEDURE, id=code, title=name, score=0.0,
                                  confidence=0.0))
        new = replace(state, pending_aspect=aspect)
        return Outcome(self.composer.clarify(hits, aspect), new,
                       self._turn(message, c.DECISION_CLARIFY, None, None))

    # --- outcomes -------------------------------------------------------------
    def _procedure(self, state: DialogueState, message: Message, code: str, aspect: str,
                   confidence: float | None) -> Outcome:
        try:
            procedure = self.kb.procedure(code)
        except NotFoundError:
            logger.warning("procedure %s offered but not in the store", code)
            return self._not_found(state, message, confidence)
        case_index = state.case_index if code == state.procedure_code else None
        new = replace(state, procedure_code=code, case_index=case_index, miss_count=0,
                      human_offered=False, awaiting=None, procedure_options=[],
                      pending_aspect=None)
        office = self._office()
        if not procedure.answerable:
            return Outcome(self.composer.unavailable(office), new,
                           self._turn(message, c.DECISION_NOT_FOUND, code, confidence))
        if case_index is None and len(procedure.cases) >= 2:  # "… nhà ở riêng lẻ" names case 7
            case_index = case_named(procedure.name, procedure.cases,
                                   self.lexicon.analyze(message.text))
            new = replace(new, case_index=case_index)
        other_cases: list[int] = []
        typed = bool(message.text.strip())
        if case_index is None and len(procedure.cases) >= 2 and typed:
            ordinary = ordinary_case_index(procedure)  # answer it, offer the others as buttons
            if ordinary is not None:
                case_index = ordinary
                other_cases = [i for i in range(1, len(procedure.cases) + 1) if i != ordinary]
        case = self._case(procedure, case_index)
        intro = state.intro_shown != code
        analysis = self.lexicon.analyze(message.text)
        details = extra_aspects(message.text) if typed else ()
        if details and state.procedure_code == code and (not analysis.aspects or (
                details[0] == ASPECT_PRESENCE and not names_documents(message.text))):
            # "có phải hai người cùng đến không" on kết hôn: that detail, on one screen
            # (who must come even when "nộp hồ sơ" is said: "1 người đi nộp hồ sơ được
            # không"; not when papers are asked: "giấy gì thay được")
            aspect = details[0]
        if aspect in (c.ASPECT_DOCUMENTS, c.ASPECT_GENERAL) and len(procedure.cases) >= 2 \
                and case is None:
            new = replace(new, awaiting=c.AWAITING_CASE, pending_aspect=aspect)
            replies = self.composer.overview_then_case(procedure, aspect, office,
                                                       self._catalog_date(), intro=intro)
            new = replace(new, intro_shown=code)
            return Outcome(replies, new, self._turn(message, c.DECISION_CLARIFY, code, confidence))
        # The first typed question about a procedure (or the case just chosen) gets the
        # one-screen summary of every aspect it names; a quick reply ("Các bước") or a
        # follow-up gets the detailed view of its aspect.
        # Follow-ups on the procedure under discussion keep their detailed view.
        summary = (typed and state.procedure_code != code) or state.awaiting == c.AWAITING_CASE \
            or c.ENTITY_CASE_INDEX in message.entities or aspect in DETAIL_ASPECTS
        if summary and typed and aspect == c.ASPECT_DOCUMENTS and not names_documents(
                message.text):
            aspect = c.ASPECT_GENERAL  # "… để làm hồ sơ vay ngân hàng": the whole checklist
        # "hồ sơ" also appears in questions about something else ("nộp hồ sơ ở đâu"): the
        # documents come with the first reply only when asked first, or with "how".
        also = (tuple(a for a in analysis.aspects if a != aspect and (
            a in c.EXTRA_ASPECTS or a == c.ASPECT_STEPS)) + extra_aspects(message.text)
                if summary else also_asked(analysis, aspect))
        replies = self.composer.answer(procedure, aspect, office, self._catalog_date(), case,
                                       also, summary=summary, intro=intro,
                                       case_index=case_index, other_cases=other_cases)
        new = replace(new, case_index=case_index, intro_shown=code)
        return Outcome(replies, new, self._turn(message, c.DECISION_ANSWER, code, confidence))

    @staticmethod
    def _case(procedure: Procedure, case_index: int | None) -> str | None:
        if case_index is None or not 1 <= case_index <= len(procedure.cases):
            return None
        return procedure.cases[case_index - 1]

    def _faq(self, state: DialogueState, message: Message, faq_id: int,
             confidence: float | None) -> Outcome:
        try:
            faq = self.kb.faq(faq_id)
        except NotFoundError:
            return self._not_found(state, message, confidence)
        new = replace(state, miss_count=0, human_offered=False, awaiting=None,
                      procedure_options=[])
        return Outcome(self.composer.faq(faq, self._office(), self.kb.related_procedures(faq)), new,
                       self._turn(message, c.DECISION_FAQ, None, confidence))

    def _rejected(self, state: DialogueState, message: Message, code: str) -> Outcome:
        """"không phải khai sinh": drop that procedure from the conversation, ask what is meant."""
        try:
            procedure = self.kb.procedure(code)
        except NotFoundError:
            return self._not_found(state, message, None)
        forgotten = state.procedure_code == code
        # the reply asks no yes/no question: a "vâng" next is not a request for staff
        new = replace(state, procedure_code=None if forgotten else state.procedure_code,
                      case_index=None if forgotten else state.case_index,
                      human_offered=False, awaiting=None, procedure_options=[])
        return Outcome(self.composer.rejected(procedure), new,
                       self._turn(message, c.DECISION_CLARIFY, None, None))

    def _not_found(self, state: DialogueState, message: Message,
                   confidence: float | None) -> Outcome:
        misses = state.miss_count + 1
        if misses >= c.MAX_MISSES:
            return self.handoff(state, message.intent, c.HANDOFF_REPEATED_MISSES)
        new = replace(state, miss_count=misses, human_offered=True, awaiting=None,
                      procedure_options=[])
        replies = self.composer.not_found(self._office())
        if state.procedure_code:
            try:
                replies = self.composer.not_found_in_context(
                    self.kb.procedure(state.procedure_code), self._office())
            except NotFoundError:
                pass
        return Outcome(replies, new,
                       self._turn(message, c.DECISION_NOT_FOUND, None, confidence))

    def _turn(self, message: Message, decision: str, code: str | None,
              confidence: float | None) -> TurnInfo:
        return TurnInfo(message.intent, decision, code, confidence)

    def _office(self) -> dict[str, str]:
        return self._facts.get("office", self.kb.office_info)

    def _catalog_date(self) -> datetime | None:
        return self._facts.get("catalog_date", self.kb.catalog_date)


