"""The one decision a citizen's question gets: answer, clarify, FAQ, not found or follow-up.

The dialogue (through Rasa or in degraded mode) and ``tthc eval`` call
:meth:`Resolver.resolve` with the message and the conversation's context;
nothing else turns a search into an answer. The steps are features of that one
decision, not overrides of each other:

- a message opening with a no ("không phải khai sinh") rejects the procedure it names
  (under discussion or offered first), or asks what its correction says ("…, ý em là
  khai tử"); "không phải nộp phí à?" is a question, not a no;
- a message that names nothing ("còn lệ phí thì sao?") is a follow-up about the
  procedure under discussion (the dialogue knows which), unless it is a name typed
  without marks whose words fold onto fillers ("nha o xa hoi");
- a story saying the procedure found (or under discussion) is done asks what follows
  ("xin giấy độc thân rồi, giờ đăng ký kết hôn…": the marriage);
- the topic (aspect words removed) and the whole text are searched; the surer
  reading is taken;
- a re-mention of the current procedure stays on it, unless the words fit
  another procedure's name better ("khai sinh cần gì" while on "bản sao"); so does
  who must come or may go instead (``Query.detail``), over an FAQ entry it brushes;
- a detail ("không phải, ý em là người nước ngoài") names a variant of the
  current procedure ("… có yếu tố nước ngoài");
- otherwise the search's calibrated decision stands: an answer, buttons when
  several procedures are plausible (close variants among them), FAQ, or not found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache

from knowledge_base.analysis import Analysis, Lexicon, fold, words_of
from knowledge_base.models import Decision, Procedure, SearchHit, SearchResult, TargetType
from knowledge_base.service import KnowledgeBase

VARIANT_KEPT_SHARE = 0.6  # share of the current name's own words a variant keeps
MAX_STRAY_WORDS = 1  # a follow-up naming an aspect may carry this many unknown words
MIN_DETAIL_WORDS = 2  # a detail of the current procedure's own text is a phrase this long
# Share of a procedure's best-matching key (name, alias) a message must say to be answered
# with it, and the share that makes a likely procedure an answer from NAME_SURE_FLOOR.
NAME_VETO, NAME_SURE, NAME_SURE_FLOOR = 0.5, 0.8, 0.7
# ...or when the runner-up is as likely but the message says this much less of its key
# ("thủ tục đăng ký hộ kinh doanh": all of "Đăng ký thành lập…", 0.73 of "Dừng thực hiện…").
NAME_SAID_LEAD = 0.25
# A message saying the whole of a procedure's name or alias, with that procedure at least
# NAME_WHOLE_FLOOR likely and NAME_WHOLE_LEAD times as likely as the runner-up, is answered:
# the chat around the name ("vợ tôi mới sinh…, tôi phải đến đâu") lowers the probability,
# not the doubt about which procedure it is. Unless the message says something is done
# already ("đăng ký khai tử rồi, giờ…": the name is background, the question elsewhere).
# (Shares are sums of floats: "whole" is within NAME_WHOLE_SLACK of 1.)
NAME_WHOLE, NAME_WHOLE_FLOOR, NAME_WHOLE_LEAD, NAME_WHOLE_SLACK = 1.0, 0.3, 8.0, 1e-6
# Share of a key a message the lexicon reads as small talk or fillers must say to name a
# procedure. Measured on the bot's small-talk examples: "không cần thiết", "thoát", "no"
# said at most 0.49 of a name; "khai tu", "ket hon", "mat cccd lam lai" at least 0.71.
NAMED_SHARE = 0.6
# "không phải khai sinh" rejects the procedure under discussion or offered that its words
# find among this many hits ("khai sinh" says enough of "đăng ký khai tử" by the share alone).
REJECTED_AMONG = 3
# ``Query.detail`` of who must come: the one detail that outweighs an FAQ entry the message
# only brushes ("chủ nhà có phải đi cùng không" is not the entry on bringing children)
DETAIL_PRESENCE = "presence"


class Kind(str, Enum):
    """What the dialogue should do with the message."""

    ANSWER = "answer"  # answer about ``code``
    CLARIFY = "clarify"  # "Ý bạn là…?" with ``options``
    FAQ = "faq"  # answer the FAQ entry ``faq_id``
    NOT_FOUND = "not_found"  # nothing in the catalog answers it
    FOLLOW_UP = "follow_up"  # names nothing: about what the conversation is about
    REJECTED = "rejected"  # "không phải khai sinh": not ``rejected`` (under discussion/offered)


@dataclass(frozen=True)
class Query:
    """A citizen's message and what the conversation knows.

    Attributes:
        text: the message as typed.
        procedure_code: the procedure under discussion, if any.
        strict: Rasa judged the message out of scope: no clarification buttons.
        options: the procedures offered as buttons in the last reply, if any.
        detail: the detail the message asks (``DETAIL_PRESENCE``: who must come or may go
            instead; the dialogue's others: a deadline, who may file), which the procedure
            under discussion answers unless another procedure or topic is named.

    """

    text: str
    procedure_code: str | None = None
    strict: bool = False
    options: tuple[str, ...] = ()
    detail: str | None = None


@dataclass(frozen=True)
class Resolution:
    """The decision, with what the evaluation and the turn log need."""

    kind: Kind
    analysis: Analysis
    code: str | None = None
    faq_id: int | None = None
    options: tuple[SearchHit, ...] = ()
    confidence: float | None = None
    hits: tuple[SearchHit, ...] = ()
    # not found: the out-of-scope topic it is about, if known; clarify: a likely one
    # ranked above the procedures offered
    topic: str | None = None
    rejected: str | None = None  # the procedure the message says is not the one meant

    @property
    def procedure_ids(self) -> list[str]:
        """Ranked procedure codes considered (the answered one first)."""
        codes = [self.code] if self.code else []
        codes += [h.id for h in self.hits if h.type == TargetType.PROCEDURE]
        return list(dict.fromkeys(codes))


def within_name(name: str, analysis: Analysis) -> bool:
    """Whether every topic word of the question is a word of ``name``.

    "bao lâu thì có giấy phép" while talking about "Cấp giấy phép xây dựng …"
    re-mentions the procedure under discussion; it is not a new topic.
    """
    words = {fold(w) for w in analysis.core.split()}
    return bool(words) and words <= {fold(w) for w in words_of(name)}


def is_variant(current: Analysis, candidate: str, detail: str) -> bool:
    """Whether ``candidate`` is a variant of the current procedure that ``detail`` names.

    "Đăng ký kết hôn có yếu tố nước ngoài" is a variant of "Đăng ký kết hôn" named
    by "người nước ngoài": it keeps most of the current name's own words and holds
    a word the detail added. "Khai sinh có yếu tố nước ngoài" is no variant of
    "khai tử", although it holds "nước ngoài" too.
    """
    own = {fold(w) for w in current.content_words}
    words = {fold(w) for w in words_of(candidate)}
    added = {fold(w) for w in words_of(detail)} - own - {fold(w) for w in words_of(current.topic)}
    kept = len(own & words) / len(own) if own else 0.0
    return kept >= VARIANT_KEPT_SHARE and bool(added & words)


def covered(name: Analysis, analysis: Analysis) -> float:
    """Share of a procedure name's own words (fillers aside) that the question typed.

    "khai sinh cần gì" covers all of "Thủ tục đăng ký khai sinh" but little of
    "Cấp bản sao trích lục hộ tịch, bản sao Giấy khai sinh": the first is meant.
    """
    own = {fold(w) for w in name.core.split()}
    said = {fold(w) for w in analysis.core.split()}
    return len(own & said) / len(own) if own else 0.0


@lru_cache(maxsize=64)
def _words_and_pairs(text: str) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The folded words of a procedure's text and its pairs of neighbouring words (cached)."""
    words = [fold(word) for word in words_of(text)]
    return frozenset(words), frozenset(zip(words, words[1:]))


def _another_procedure(result: SearchResult, current: Procedure) -> SearchHit | None:
    """The search's confident answer when it is a procedure other than ``current``."""
    top = result.top
    if result.decision != Decision.ANSWER or top is None or top.id == current.code \
            or top.type != TargetType.PROCEDURE:
        return None
    return top


class Resolver:
    """Takes the decision for one message; see the module docstring for the steps."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon) -> None:
        self.kb = kb
        self.lexicon = lexicon

    def resolve(self, query: Query) -> Resolution:
        """The decision for ``query``."""
        rejected = self._rejected(query)
        if rejected is not None:
            return rejected
        analysis = self.lexicon.analyze(query.text)
        if not analysis.names_something:
            named = self._named_without_marks(query.text, analysis)
            return named or Resolution(Kind.FOLLOW_UP, analysis)
        current = self.kb.procedure_or_none(query.procedure_code)
        result = self._weigh_name(self._search(query.text, analysis))
        later = self._after_done(query, result, current)
        if later is not None:
            return later
        if current is not None:
            stays = self._on_current(current, analysis, result, query.detail)
            if stays is not None:
                return stays
        resolution = self._from_result(query, analysis, result, current)
        return self._abolished(query.text, resolution) or resolution

    def _rejected(self, query: Query) -> Resolution | None:
        """A message saying the procedure meant is not the one it names ("không phải …").

        "không phải khai sinh, ý em là khai tử": what follows the correction is the
        question ("không phải, ý em là người nước ngoài" on kết hôn: a detail of it).
        "không phải khai sinh" alone is answered with no procedure it names: it rejects
        the procedure under discussion or offered that a search of its words finds
        among ``REJECTED_AMONG`` hits, else the search's best when the words are all in
        its name, if they say most of its key (``NAMED_SHARE``). Words naming nothing
        reject nothing.
        """
        split = self.lexicon.rejection(query.text)
        if split is None:
            return None
        negated, rest = split
        if self.lexicon.analyze(rest).names_something:
            return self.resolve(replace(query, text=rest))
        said = self.lexicon.analyze(negated)
        if not said.names_something:
            return None
        hits = [hit for hit in self.kb.search(negated).hits[:REJECTED_AMONG]
                if hit.type == TargetType.PROCEDURE]
        context = {query.procedure_code, *query.options}
        named = next((hit for hit in hits if hit.id in context), None)
        if named is None and hits and {fold(w) for w in said.content_words} <= {
                fold(w) for w in words_of(hits[0].title)}:
            # outside the conversation only a bare name is rejected ("không phải khai sinh"
            # on khai tử), not a statement ("không phải chính chủ làm căn cước")
            named = hits[0]
        if named is None or self.kb.retriever.key_share(negated, named) < NAMED_SHARE:
            return None
        return Resolution(Kind.REJECTED, said, rejected=named.id)

    def _after_done(self, query: Query, result: SearchResult,
                    current: Procedure | None) -> Resolution | None:
        """The question asked after saying that the procedure found is done already.

        "em xin giấy xác nhận độc thân rồi, giờ đăng ký kết hôn cần gì": the search
        (or the conversation) is on the single-status certificate, which the citizen
        has; the question is the marriage. The words up to the "done" clause must say
        at least ``NAME_VETO`` of the procedure found or under discussion, and the words
        after it must name another procedure (an answer or buttons), saying at least
        ``NAME_VETO`` of its key and more than of the done one. Otherwise ("…rồi, giờ
        làm gì tiếp") the decision is taken as for any message.
        """
        split = self.lexicon.after_done(query.text)
        if split is None:
            return None
        before, ask = split
        retriever = self.kb.retriever
        found = [result.top] if result.top is not None \
            and result.top.type == TargetType.PROCEDURE else []
        if current is not None:
            found.append(SearchHit(type=TargetType.PROCEDURE, id=current.code,
                                   title=current.name, score=0.0, confidence=0.0))
        # a hit's ``said`` is the share of the text it was searched with: recompute
        done = [hit for hit in (h.model_copy(update={"said": None}) for h in found)
                if retriever.key_share(before, hit) >= NAME_VETO]
        if not done:
            return None
        later = self.resolve(replace(query, text=ask))
        ids = later.procedure_ids
        if later.kind not in (Kind.ANSWER, Kind.CLARIFY) or not ids \
                or ids[0] in {hit.id for hit in done}:
            return None
        named = next((h for h in later.hits if h.id == ids[0]), None)
        if named is None:
            return None
        theirs = retriever.key_share(ask, named.model_copy(update={"said": None}))
        if theirs < NAME_VETO or any(retriever.key_share(ask, hit) >= theirs for hit in done):
            return None
        return later

    def _abolished(self, text: str, resolution: Resolution) -> Resolution | None:
        """The FAQ entry on an abolished document the message names, unless it is answered.

        "làm lại sổ hộ khẩu bị mất" finds no procedure (nothing re-issues the book)
        and "xin cấp sổ hộ khẩu mới" only brushes "Đăng ký thường trú": the entry
        saying the book is gone since 2023, with the procedures in force as buttons,
        is the answer. A question the search answers outright ("chứng thực bản sao
        chứng minh nhân dân") keeps its answer.
        """
        if resolution.kind not in (Kind.NOT_FOUND, Kind.CLARIFY):
            return None
        slug = self.lexicon.abolished_in(text)
        faq = self.kb.published_faq(slug) if slug else None
        if faq is None or faq.id is None:
            return None
        return Resolution(Kind.FAQ, resolution.analysis, faq_id=faq.id,
                          confidence=resolution.confidence, hits=resolution.hits)

    def _named_without_marks(self, text: str, analysis: Analysis) -> Resolution | None:
        """A procedure's name typed without marks whose every word folds onto a filler.

        "nha o xa hoi" is "nhà ở xã hội", not "nha" + "ở" + "xã" + "hỏi". Only a
        message with no marks at all and no aspect is searched, and only a confident
        answer that says most of the procedure's key counts ("cho hoi", "dang ky",
        "vay con cai nay thi sao" stay follow-ups).
        """
        words = words_of(text)
        if analysis.aspects or not words or any(fold(word) != word for word in words):
            return None
        result = self._weigh_name(self.kb.search(text))
        top = result.top
        if result.decision != Decision.ANSWER or top is None or top.type != TargetType.PROCEDURE \
                or self.kb.retriever.key_share(text, top) < NAMED_SHARE:
            return None
        return Resolution(Kind.ANSWER, analysis, code=top.id, confidence=result.confidence,
                          hits=tuple(result.hits))

    # --- the search ---------------------------------------------------------
    def _search(self, text: str, analysis: Analysis) -> SearchResult:
        """The surer of two readings: the topic (aspect words removed) and the whole text.

        Removing aspect words helps a short chat question ("khai sinh cần gì") and
        can hurt one typed without diacritics, whose folded words collide with the
        lexicon's fillers; the calibrated confidence says which reading matched.
        Searching the topic's bare core or single clauses of a narrative was tried
        and measured on real questions: it turned unsure searches into confident
        wrong answers (26 wrong for 5 right on half the development set). When the
        topic alone is answered, the whole text is not searched: on the development
        and ward sets that changed no decision and it saves a search per answer.
        """
        result = self.kb.search(analysis.topic or text)
        if result.decision == Decision.ANSWER:
            return result  # sure already; searching the whole text too changed no decision
        if analysis.topic and analysis.topic != text:
            whole = self.kb.search(text)
            if whole.confidence > result.confidence:
                result = whole
        return result

    def _weigh_name(self, result: SearchResult) -> SearchResult:
        """How much of the best procedure's name the message says, as part of the decision.

        The calibrated probability can be high for a message that brushes one word of a
        long name ("không cần thiết", "vay vốn ưu đãi"), and just below the threshold for
        one that says a whole alias ("khai tu cho bo"). An answer needs the message to
        say at least ``NAME_VETO`` of one of the procedure's keys (IDF-weighted), and a
        likely procedure whose key it says almost whole (``NAME_SURE``) is answered from
        ``NAME_SURE_FLOOR``; one whose key it says whole, far ahead of the runner-up, from
        ``NAME_WHOLE_FLOOR``, unless the message says something is done already.
        """
        top = result.top
        if top is None or top.type != TargetType.PROCEDURE:
            return result
        retriever = self.kb.retriever
        if result.decision == Decision.ANSWER:
            if retriever.key_share(result.query, top) < NAME_VETO:
                return result.model_copy(update={"decision": Decision.CLARIFY})
        elif result.decision == Decision.CLARIFY and result.confidence >= NAME_WHOLE_FLOOR \
                and not result.out_of_scope_first:
            # an out-of-scope topic ahead of it ("an toàn thực phẩm" of a restaurant)
            # leaves the procedure a button, however much of its name is said
            said = retriever.key_share(result.query, top)
            sure = result.confidence >= NAME_SURE_FLOOR and said >= NAME_SURE \
                and self._ahead_of_runner_up(result, said)
            whole = said >= NAME_WHOLE - NAME_WHOLE_SLACK and self._far_ahead(result) \
                and not self.lexicon.says_done(result.query)
            if sure or whole:
                return result.model_copy(update={"decision": Decision.ANSWER})
        return result

    @staticmethod
    def _far_ahead(result: SearchResult) -> bool:
        """Whether the best hit is ``NAME_WHOLE_LEAD`` times as likely as the runner-up."""
        runner_up = result.hits[1].confidence if len(result.hits) > 1 else 0.0
        return result.confidence >= NAME_WHOLE_LEAD * runner_up

    def _ahead_of_runner_up(self, result: SearchResult, said: float) -> bool:
        """Whether the best hit is clearly ahead: by probability, or by how much of it is said.

        "thủ tục đăng ký hộ kinh doanh" says all of "Đăng ký thành lập hộ kinh doanh"
        and much less of "Dừng thực hiện thủ tục đăng ký hộ kinh doanh", although the
        two are about as likely by the scorer.
        """
        if len(result.hits) < 2:
            return True
        runner_up = result.hits[1]
        if result.confidence - runner_up.confidence >= self.kb.retriever.calibration.margin:
            return True
        return said - self.kb.retriever.key_share(result.query, runner_up) >= NAME_SAID_LEAD

    def _on_current(self, current: Procedure, analysis: Analysis,
                    result: SearchResult, detail: str | None = None) -> Resolution | None:
        """The procedure under discussion, when the message re-mentions or refines it."""
        if within_name(current.name, analysis) and not self.names_better(current, analysis,
                                                                         result):
            # "phí gia hạn" on "Gia hạn tạm trú", "lệ phí làm thẻ" on "Cấp thẻ căn cước"
            return Resolution(Kind.ANSWER, analysis, code=current.code, hits=tuple(result.hits))
        if result.decision == Decision.ANSWER and not (
                detail == DETAIL_PRESENCE and self._brushes_faq(result)):
            # another procedure, or an FAQ entry the message says almost whole ("viết giấy
            # ủy quyền thế nào"); one brushed by a detail asked ("chủ nhà có phải đi cùng
            # không" is not about bringing children) gives way to this procedure's answer
            return None
        if analysis.switches and result.out_of_scope_topic is not None:
            # "còn làm hộ chiếu cho mẹ thì sao" on khai tử (whose documents list the
            # deceased's passport): a new topic, which another office handles
            return None
        refined = self.refine(current, analysis)
        if refined is not None:
            return Resolution(Kind.ANSWER, analysis, code=refined.id,
                              confidence=refined.confidence, hits=tuple(result.hits))
        if detail and result.leading_topic is None and not self._names_another(result, current):
            # "có phải hai người cùng đến không" on kết hôn, "hạn chót là khi nào" on
            # khai sinh: a detail of this one
            return Resolution(Kind.ANSWER, analysis, code=current.code, hits=tuple(result.hits))
        if analysis.aspects and len(analysis.content_words) <= MAX_STRAY_WORDS:
            # "lệ phí bao nhiu": an aspect and a stray word ask about the current one
            return Resolution(Kind.ANSWER, analysis, code=current.code, hits=tuple(result.hits))
        if self._in_own_text(current, analysis):
            # "diện tích tối thiểu là bao nhiêu?" on "Đăng ký thường trú": its conditions
            return Resolution(Kind.ANSWER, analysis, code=current.code, hits=tuple(result.hits))
        return None

    def _brushes_faq(self, result: SearchResult) -> bool:
        """Whether the search leads with an FAQ entry the message says under ``NAME_SURE`` of."""
        top = result.top
        return top is not None and top.type == TargetType.FAQ \
            and self.kb.retriever.key_share(result.query, top) < NAME_SURE

    def _names_another(self, result: SearchResult, current: Procedure) -> bool:
        """Whether the search leads with another procedure the message says half a key of."""
        top = result.top
        return top is not None and top.type == TargetType.PROCEDURE \
            and top.id != current.code \
            and self.kb.retriever.key_share(result.query, top) >= NAME_VETO

    def _in_own_text(self, current: Procedure, analysis: Analysis) -> bool:
        """Whether the message asks about a detail the procedure's own text states.

        "diện tích tối thiểu là bao nhiêu?" on "Đăng ký thường trú" (whose documents
        prove "đủ diện tích nhà ở"): at least half of the topic's words, two of them
        side by side, are in the procedure's name and text, and no search was sure
        of another procedure (the caller checks).
        """
        words = [fold(word) for word in analysis.core.split()]
        if len(words) < MIN_DETAIL_WORDS:
            return False
        own, pairs = _words_and_pairs(" ".join([current.name, current.conditions,
                                                *current.steps, *current.raw.values()]))
        said = sum(1 for word in words if word in own)
        return 2 * said >= len(words) and any(pair in pairs for pair in zip(words, words[1:]))

    def _from_result(self, query: Query, analysis: Analysis, result: SearchResult,
                     current: Procedure | None) -> Resolution:
        top = result.top
        hits = tuple(result.hits)
        if result.decision == Decision.ANSWER and top is not None:
            if top.type == TargetType.FAQ:
                return Resolution(Kind.FAQ, analysis, faq_id=int(top.id),
                                  confidence=result.confidence, hits=hits)
            return Resolution(Kind.ANSWER, analysis, code=top.id,
                              confidence=result.confidence, hits=hits)
        if result.decision == Decision.CLARIFY and result.hits and not query.strict:
            options = tuple(result.options)
            codes = [h.id for h in options if h.type == TargetType.PROCEDURE]
            if current is not None and current.code in codes:
                return Resolution(Kind.ANSWER, analysis, code=current.code,
                                  confidence=result.confidence, hits=hits)
            return Resolution(Kind.CLARIFY, analysis, options=options,
                              confidence=result.confidence, hits=hits,
                              topic=result.leading_topic)
        return Resolution(Kind.NOT_FOUND, analysis, confidence=result.confidence, hits=hits,
                          topic=result.out_of_scope_topic)

    # --- features -------------------------------------------------------------
    def names_better(self, current: Procedure, analysis: Analysis, result: SearchResult) -> bool:
        """Whether the search answered another procedure the words fit better than the current."""
        top = _another_procedure(result, current)
        if top is None:
            return False
        mine = covered(self.lexicon.analyze(current.name), analysis)
        return covered(self.lexicon.analyze(top.title), analysis) > mine

    def refine(self, current: Procedure, analysis: Analysis) -> SearchHit | None:
        """A variant of the procedure under discussion named by a detail of the message.

        "không phải, ý em là người nước ngoài" while on "đăng ký kết hôn" means
        "đăng ký kết hôn có yếu tố nước ngoài": search the detail with the current
        name; accept a variant (``is_variant``) holding words the detail added.
        """
        detail = analysis.core or analysis.topic
        result = self.kb.search(f"{detail} {current.name}")
        top = _another_procedure(result, current)
        if top is None:
            return None
        return top if is_variant(self.lexicon.analyze(current.name), top.title, detail) else None
