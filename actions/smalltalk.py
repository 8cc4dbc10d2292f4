"""Small talk and the satisfaction rating, beside the procedure questions.

A mixin of ``actions.dialogue.Dialogue``: it uses the dialogue's knowledge
base, composer and lexicon, and hands real questions back to ``answer``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import actions.rating_phrase
from actions import constants as c
from actions.state import DialogueState, Message, Outcome, TurnInfo
from actions.templates import Reply
from knowledge_base.analysis import Analysis, words_of
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.models import Decision, TargetType
from knowledge_base.resolver import NAMED_SHARE, Kind, Query

if TYPE_CHECKING:
    from actions.compose import AnswerComposer
    from knowledge_base.analysis import Lexicon
    from knowledge_base.resolver import Resolver
    from knowledge_base.service import KnowledgeBase

# "5", "5 sao", "cho 4 điểm", "chấm 5 nhé": longer messages with a digit are questions.
MAX_TYPED_RATING_WORDS = 4
# Small talk read as a question or not, remembered for the rating step that follows.
MAX_REMEMBERED_SMALL_TALK = 64


class SmallTalk:
    """Greetings, thanks, goodbyes, yes/no and the 1–5 rating."""

    kb: KnowledgeBase
    composer: AnswerComposer
    lexicon: Lexicon
    resolver: Resolver
    # (index revision, intent, text) → whether the small talk is a question
    _read_as_question: dict[tuple[int, str, str], bool]

    def answer(self, state: DialogueState, message: Message) -> Outcome:
        """Answer a question (implemented by the dialogue)."""
        raise NotImplementedError

    def _office(self) -> dict[str, str]:
        raise NotImplementedError

    def chitchat(self, state: DialogueState, message: Message) -> Outcome:
        """Reply to small talk; any open offer of a human is withdrawn.

        A short question the classifier took for a yes/no or a greeting ("cần cccd
        ko", "chào ad, làm sổ đỏ ở đâu") is answered as a question when the
        knowledge base clearly recognises what it names. A yes to "is it this
        procedure?" (one button offered) opens that procedure.
        """
        if message.intent == c.INTENT_AFFIRM and state.awaiting == c.AWAITING_PROCEDURE \
                and len(state.procedure_options) == 1 and self._plain_yes(message.text):
            # "Có phải bạn hỏi về thủ tục dưới đây không?" then "vâng": that procedure
            chosen = {c.ENTITY_PROCEDURE_CODE: state.procedure_options[0]}
            return self.answer(state, replace(message, entities=chosen))
        if self._answered_as_question(message) or self._no_for_the_resolver(state, message):
            return self.answer(state, message)
        if self._rejects_the_last_reply(state, message):
            # "không phải cái đó" after buttons or an answer: not what was meant
            new = replace(state, procedure_code=None, case_index=None, awaiting=None,
                          procedure_options=[], pending_aspect=None, human_offered=False)
            return Outcome([Reply("utter_rejected_last")], new,
                           TurnInfo(message.intent, c.DECISION_CLARIFY,
                                    confidence=message.intent_confidence))
        response = c.CHITCHAT_RESPONSES.get(message.intent, "utter_default")
        if state.handed_off and message.intent in c.WAITING_CHITCHAT:
            response = "utter_handoff_waiting"  # "alo, có ai không" while waiting for staff
        new = replace(state, human_offered=False)
        return Outcome(self.composer.chitchat(response, self._office()), new,
                       TurnInfo(message.intent, c.DECISION_CHITCHAT,
                                confidence=message.intent_confidence))

    def ask_application_code(self, state: DialogueState, message: Message) -> Outcome:
        """Ask for the application's code, unless the message asks about a procedure.

        The classifier takes "tôi cần nộp hồ sơ ở đâu và mất bao lâu" (with a
        procedure named before) for "where is my application?". A message holding no
        status word ("đến đâu rồi", "khi nào xong"), that asks an aspect of a procedure
        the resolver finds likely or is a story about any, is answered (or clarified).
        """
        analysis = self.lexicon.analyze(message.text)
        if self._reads_as_question(message, analysis,
                                   c.LIKELY_PROCEDURE if analysis.aspects else None):
            return self.answer(state, message)
        return Outcome([Reply(c.RESPONSE_ASK_APPLICATION_CODE)], state,
                       TurnInfo(message.intent, c.DECISION_CLARIFY,
                                confidence=message.intent_confidence))

    def offer_appointment(self, state: DialogueState, message: Message) -> Outcome:
        """Offer the booking steps, unless the message asks about a procedure instead.

        The classifier takes a long story with dates ("mẹ tôi sinh ngày 3 tháng 4…
        giấy tờ cũ ghi sai năm sinh") for an appointment request. A message holding
        none of the words a booking request holds, about a procedure the resolver
        finds likely, is answered (or clarified) as the question it is; so is a story
        without them (booking requests are short) whenever the resolver offers any
        procedure.
        """
        if self._reads_as_question(message, self.lexicon.analyze(message.text),
                                   c.LIKELY_PROCEDURE):
            return self.answer(state, message)
        return Outcome([Reply(c.RESPONSE_APPOINTMENT_OFFER)], state,
                       TurnInfo(message.intent, c.DECISION_CHITCHAT,
                                confidence=message.intent_confidence))

    def request_human(self, state: DialogueState, message: Message) -> Outcome:
        """Hand the conversation to staff, unless the classifier only guessed so.

        A request for staff is the citizen's way out and always honoured when it holds
        a word such requests hold ("gặp cán bộ", "người thật") or the classifier is
        sure. A message with neither ("trợ cấp thất nghiệp", read as a request for
        staff at 0.29) is answered as a question; a reply that finds nothing still
        offers a human.
        """
        unsure = message.intent_confidence is not None \
            and message.intent_confidence < c.UNSURE_INTENT
        if message.intent == c.INTENT_REQUEST_HUMAN and unsure \
                and self._holds_no_intent_word(message, self.lexicon.analyze(message.text)):
            return self.answer(state, message)
        return self.handoff(state, message.intent, c.HANDOFF_CITIZEN_REQUEST)

    def handoff(self, state: DialogueState, intent: str, reason: str) -> Outcome:
        """Hand the conversation to staff (implemented by the dialogue)."""
        raise NotImplementedError

    @staticmethod
    def _holds_no_intent_word(message: Message, analysis: Analysis) -> bool:
        """Whether a typed message holds none of the words its classified intent holds.

        Booking requests, status lookups, requests for staff, greetings, thanks, yeses
        and noes hold their intent's words (``question_lexicon.yml`` intents); a button
        payload is no text. (Degraded mode reads the greeting, thanks, goodbye and
        staff lists alone; the yes and no lists only confirm the classifier.)
        """
        return not message.text.startswith("/") and message.intent not in analysis.intents

    def _reads_as_question(self, message: Message, analysis: Analysis,
                           short_floor: float | None) -> bool:
        """Whether a message the classifier took for a short intent is a procedure question.

        It must hold none of its intent's words (a story taken for a yes or a no holds
        "có" or "không" anyway: those are no sign). A story (``STORY_WORDS``) is a
        question whenever the resolver offers any procedure (small talk, bookings and
        status lookups are short); a shorter message only when the resolver finds a
        procedure at least ``short_floor`` likely (None: never).
        """
        story = len(words_of(message.text)) >= c.STORY_WORDS
        if not (story and message.intent in c.YES_NO_INTENTS) \
                and not self._holds_no_intent_word(message, analysis):
            return False
        floor = 0.0 if story else short_floor
        return floor is not None and self._asks_a_procedure(message, floor)

    def _asks_a_procedure(self, message: Message, floor: float = c.LIKELY_PROCEDURE) -> bool:
        """Whether the resolver answers ``message`` or offers a procedure at least this likely."""
        try:
            resolution = self.resolver.resolve(Query(message.text))
        except KnowledgeBaseError:
            return False  # no index yet: the classifier's reading stands
        likely = (resolution.confidence or 0.0) >= floor
        # buttons led by an FAQ entry ("nộp hồ sơ buổi tối…") name no procedure
        procedure_first = bool(resolution.options) \
            and resolution.options[0].type == TargetType.PROCEDURE
        return resolution.kind == Kind.ANSWER or (
            resolution.kind == Kind.CLARIFY and likely and procedure_first)

    def ask_rating(self, state: DialogueState, message: Message) -> Outcome:
        """Ask for a rating once per conversation, not after a question it answered.

        The step before (``chitchat``) answers "cảm ơn, còn làm cccd mất bao lâu" or
        a procedure name the classifier took for a goodbye; then this step says
        nothing and leaves that answer's turn as the turn of the message.
        """
        intent = message.intent
        if self._answered_as_question(message):
            return Outcome([], state, TurnInfo(intent, c.DECISION_CHITCHAT), records_turn=False)
        if state.rated:
            return Outcome([], state, TurnInfo(intent, c.DECISION_CHITCHAT))
        return Outcome(self.composer.ask_rating(), replace(state, rating_asked=True),
                       TurnInfo(intent, c.DECISION_CHITCHAT))

    def rate(self, state: DialogueState, message: Message) -> Outcome:
        """Store a 1–5 rating from the button payload or a short typed score.

        A digit inside a real question ("con tôi 5 tuổi…", "VNeID mức 2") is not
        a rating, and a bare "2" right after "Ý bạn là…?" picks the second option:
        both go back to the question path.
        """
        raw = message.entities.get(c.ENTITY_RATING)
        words = words_of(message.text)
        if raw is None and state.awaiting in (c.AWAITING_PROCEDURE, c.AWAITING_CASE) \
                and len(words) <= MAX_TYPED_RATING_WORDS:
            intent = c.INTENT_CHOOSE_CASE if state.awaiting == c.AWAITING_CASE \
                else c.INTENT_CHOOSE_PROCEDURE
            return self.answer(state, replace(message, intent=intent))
        if raw is None and len(words) > MAX_TYPED_RATING_WORDS:
            return self.answer(state, message)
        # a score only from the button or a whole rating phrase (actions/rating_phrase.py)
        scores = actions.rating_phrase.SCORES
        raw = raw or actions.rating_phrase.typed_rating(message.text, state.rating_asked) \
            or next((w for w in words if w in scores and words == [w]), None)
        turn = TurnInfo(message.intent, c.DECISION_CHITCHAT, confidence=message.intent_confidence)
        if raw is None or str(raw) not in scores or (
                words == [raw] and not message.entities and not state.rating_asked):
            # a bare "1" nobody asked for is no score yet: show the 1–5 buttons
            return Outcome(self.composer.ask_rating(), replace(state, rating_asked=True), turn)
        score = int(raw)
        return Outcome(self.composer.thanks_for_rating(score), replace(state, rated=True), turn,
                       rating=score)

    def _answered_as_question(self, message: Message) -> bool:
        """Whether small talk by the classifier is a question the knowledge base knows.

        The chitchat step and the rating step after it both ask this of one message:
        the answer is kept for the last few messages, with the revision of the index
        it was read from (an edited knowledge base asks again).
        """
        if message.text.startswith("/"):
            return False
        key = (self.kb.index_revision, message.intent, message.text)
        known = self._read_as_question.get(key)
        if known is not None:
            return known
        analysis = self.lexicon.analyze(message.text)
        no_word = self._holds_no_intent_word(message, analysis)
        # "vang a" (vâng ạ without marks) is a yes, not the "vắng" of "tạm vắng"
        plain_yes_no = message.intent in c.YES_NO_INTENTS \
            and self.lexicon.says_only(message.text, message.intent)
        question_like = message.intent in c.QUESTION_LIKE_CHITCHAT and not plain_yes_no or (
            message.intent in c.QUESTION_LIKE_WITHOUT_ITS_WORDS and no_word)
        answer = question_like and self._names_known_topic(message, analysis) \
            or message.intent in c.YES_NO_INTENTS and no_word \
            and self._offers_named_procedure(message) \
            or self._reads_as_question(message, analysis, None)
        if len(self._read_as_question) >= MAX_REMEMBERED_SMALL_TALK:
            self._read_as_question.clear()  # one step (safe beside degraded mode's threads)
        self._read_as_question[key] = answer
        return answer

    def _no_for_the_resolver(self, state: DialogueState, message: Message) -> bool:
        """A "no" the classifier saw that names what is (not) meant, or asks "no need to…?".

        "không phải khai sinh, ý em là khai tử" names the correction; "không phải nộp lệ
        phí à" (on khai sinh) asks whether there is a fee: the resolver answers both.
        """
        if message.intent != c.INTENT_DENY or message.text.startswith("/") \
                or not self.lexicon.opens_with_rejection(message.text):
            return False
        split = self.lexicon.rejection(message.text)
        if split is None:  # a question ("không phải … à?")
            return bool(state.procedure_code)
        return any(self.lexicon.analyze(part).names_something for part in split)

    def _rejects_the_last_reply(self, state: DialogueState, message: Message) -> bool:
        """A no naming nothing ("không phải cái đó") to buttons or an answer just given.

        A plain "không" after "do you want staff?" declines the offer instead; a no
        naming a procedure goes to the resolver (``_no_for_the_resolver``).
        """
        if message.intent != c.INTENT_DENY or state.human_offered or message.text.startswith("/"):
            return False
        offered = state.awaiting == c.AWAITING_PROCEDURE or bool(state.procedure_code)
        return offered and self.lexicon.rejection(message.text) is not None

    def _plain_yes(self, text: str) -> bool:
        """A yes and nothing else: a yes word, no no word, no word naming anything."""
        intents = self.lexicon.analyze(text).intents
        return c.INTENT_AFFIRM in intents and c.INTENT_DENY not in intents \
            and self.lexicon.says_only(text, c.INTENT_AFFIRM)

    def _offers_named_procedure(self, message: Message) -> bool:
        """Whether the resolver offers buttons led by a procedure the message mostly names.

        "kết hôn lưu động" says most of "Đăng ký kết hôn lưu động"; "tử" alone says
        too little of "khai tử".
        """
        try:
            resolution = self.resolver.resolve(Query(message.text))
        except KnowledgeBaseError:
            return False  # no index yet: the classifier's reading stands
        first = resolution.options[0] if resolution.options else None
        return resolution.kind == Kind.CLARIFY and first is not None \
            and first.type == TargetType.PROCEDURE and (first.said or 0.0) >= NAMED_SHARE

    def _names_known_topic(self, message: Message, analysis: Analysis) -> bool:
        if not analysis.names_something:
            # "nha o xa hoi": a name typed without marks whose words fold onto fillers
            try:
                return self.resolver.resolve(Query(message.text)).kind == Kind.ANSWER
            except KnowledgeBaseError:
                return False
        if message.intent in c.THANKS_LIKE_CHITCHAT and not analysis.aspects \
                and len(analysis.content_words) < c.MIN_THANKS_QUESTION_WORDS:
            return False  # "ok cảm ơn ad nhiu 😊": one stray word is not a question
        topic = analysis.topic or message.text
        try:
            result = self.kb.search(topic)
            top = result.top
            # "khai tu" says a whole name; "không cần thiết", "thoát" or "no" ("nợ") only
            # brush one word of a long one, however sure the search is.
            return result.decision == Decision.ANSWER and top is not None \
                and self.kb.retriever.key_share(topic, top) >= NAMED_SHARE
        except KnowledgeBaseError:
            return False
