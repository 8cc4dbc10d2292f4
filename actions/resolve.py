"""Which procedure a message means, beyond one search of its words.

The dialogue searches the question's topic first; these steps use the
conversation (the procedure under discussion) and the message's shape:

- a re-mention of the current procedure stays on it, unless the words fit
  another procedure's name better ("khai sinh cần gì" while on "bản sao");
- a detail or correction ("không phải, ý em là người nước ngoài") names a
  variant of the current procedure ("… có yếu tố nước ngoài");
- a long narrative whose whole text is too diffuse to match names its
  procedure in one clause ("…, muốn làm lại thẻ căn cước vì bị mất ví, …").
"""

from __future__ import annotations

import re

from actions.choices import covered, is_variant
from actions.lexicon import Analysis, Lexicon
from knowledge_base.models import Decision, Procedure, SearchHit, SearchResult, TargetType
from knowledge_base.service import KnowledgeBase

_CLAUSE_BREAK = re.compile(r"[.,;:!?\n]+")
MAX_CLAUSES = 6


def _another_procedure(result: SearchResult, current: Procedure) -> SearchHit | None:
    """The search's confident answer when it is a procedure other than ``current``."""
    top = result.top
    if result.decision != Decision.ANSWER or top is None or top.id == current.code \
            or top.type != TargetType.PROCEDURE:
        return None
    return top


class Resolver:
    """Knowledge-base searches that take the conversation and the message's shape into account."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon) -> None:
        self.kb = kb
        self.lexicon = lexicon

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

    def best_clause(self, text: str, whole: SearchResult) -> SearchResult | None:
        """A clause's confident answer that confirms the whole message's own best guess.

        A narrative ("Chị 60 tuổi, muốn làm lại thẻ căn cước vì bị mất ví, không
        rành điện thoại…") dilutes the words that matter, so the whole text finds
        the right procedure without confidence. Each clause is searched on its own;
        only an answer naming that same top hit is taken ("tôi đã nghỉ hưu", a
        clause of a question about the price of gold, confirms nothing).
        """
        clauses = [part for part in _CLAUSE_BREAK.split(text) if part.strip()]
        target = whole.top
        if len(clauses) < 2 or target is None:
            return None
        best: SearchResult | None = None
        for clause in clauses[:MAX_CLAUSES]:
            analysis = self.lexicon.analyze(clause)
            if not analysis.names_something:
                continue
            result = self.kb.search(analysis.topic or clause)
            top = result.top
            if result.decision == Decision.ANSWER and top is not None \
                    and (top.type, top.id) == (target.type, target.id) \
                    and (best is None or result.confidence > best.confidence):
                best = result
        return best
