"""Read a typed choice: an ordinal ("cái thứ hai", "trường hợp 3") or words naming one case."""

from __future__ import annotations

from actions.lexicon import Analysis, fold, words_of

ORDINALS = {"1": 1, "nhat": 1, "dau": 1, "mot": 1, "2": 2, "hai": 2, "nhi": 2,
            "3": 3, "ba": 3, "4": 4, "tu": 4, "bon": 4, "5": 5, "nam": 5, "6": 6, "sau": 6}
CASE_MATCH_THRESHOLD = 0.5


def ordinal_in(text: str) -> int | None:
    """The first ordinal in ``text`` ("cái thứ hai" → 2, "số 3" → 3, "cái cuối" → -1)."""
    for word in (fold(w) for w in words_of(text)):
        if word in ("cuoi",):
            return -1
        if word in ORDINALS:
            return ORDINALS[word]
    return None


def case_by_words(name: str, cases: list[str], analysis: Analysis) -> int | None:
    """The 1-based case whose own words the citizen typed ("tôi ở nhà thuê"), if unambiguous.

    Words shared by several cases (or in the procedure's name) cannot pick one.
    """
    case_words = [{fold(w) for w in words_of(case)} for case in cases]
    common = {fold(w) for w in words_of(name)}
    common |= {w for i, ws in enumerate(case_words) for w in ws
               if any(w in other for j, other in enumerate(case_words) if j != i)}
    words = {fold(w) for w in analysis.content_words}
    if not words:
        return None
    scores = [len(words & (ws - common)) / len(words) for ws in case_words]
    best = max(scores)
    if best >= CASE_MATCH_THRESHOLD and scores.count(best) == 1:
        return scores.index(best) + 1
    return None


def within_name(name: str, analysis: Analysis) -> bool:
    """Whether every topic word of the question is a word of ``name``.

    "bao lâu thì có giấy phép" while talking about "Cấp giấy phép xây dựng …"
    re-mentions the procedure under discussion; it is not a new topic.
    """
    words = {fold(w) for w in analysis.core.split()}
    return bool(words) and words <= {fold(w) for w in words_of(name)}
