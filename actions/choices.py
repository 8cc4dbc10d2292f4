"""Read a typed choice: an ordinal ("cái thứ hai", "trường hợp 3") or words naming one case."""

from __future__ import annotations

from actions import constants as c
from knowledge_base.analysis import Analysis, fold, words_of

ORDINALS = {"1": 1, "nhat": 1, "dau": 1, "mot": 1, "2": 2, "hai": 2, "nhi": 2,
            "3": 3, "ba": 3, "4": 4, "tu": 4, "bon": 4, "5": 5, "nam": 5, "6": 6, "sau": 6,
            "7": 7, "8": 8, "9": 9}  # some procedures have 7 cases (giấy phép xây dựng)
CASE_MATCH_THRESHOLD = 0.5
MIN_NAMED_CASE_WORDS = 2  # words of one case heading a question must hold to pick it
# A longer message names an option only after a marker ("em thuộc trường hợp thứ 2"):
# "nhà 3 tầng có cần xin không" asks a question, it does not pick the third option.
MAX_BARE_ORDINAL_WORDS = 4
ORDINAL_MARKERS = frozenset({"thu", "so", "hop", "cai", "loai", "muc", "th", "tr", "an"})
# Words around a number that make it a size, age or count ("nhà cấp 4", "3 tầng", "5 tuổi").
QUANTITY_BEFORE = frozenset({"cap", "tang", "lau"})
QUANTITY_AFTER = frozenset({"tuoi", "tang", "lau", "nam", "thang", "ngay", "nguoi", "ban",
                            "lan", "trieu", "nghin", "m2", "met", "can", "phong", "chau", "con"})


def ordinal_in(text: str) -> int | None:
    """The first ordinal in ``text`` ("cái thứ hai" → 2, "số 3" → 3, "cái cuối" → -1)."""
    words = [fold(w) for w in words_of(text)]
    bare = len(words) <= MAX_BARE_ORDINAL_WORDS
    for i, word in enumerate(words):
        if not bare and (i == 0 or words[i - 1] not in ORDINAL_MARKERS):
            continue
        if _is_quantity(words, i):
            continue  # "nhà cấp 4", "con 3 tuổi": a size or an age, not a choice
        if word in ("cuoi",):
            return -1
        if word in ORDINALS:
            return ORDINALS[word]
    return None


def _is_quantity(words: list[str], i: int) -> bool:
    before = words[i - 1] if i > 0 else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    return before in QUANTITY_BEFORE or after in QUANTITY_AFTER


def case_by_words(name: str, cases: list[str], analysis: Analysis) -> int | None:
    """The 1-based case whose own words the citizen typed ("tôi ở nhà thuê"), if unambiguous.

    Words shared by several cases (or in the procedure's name) cannot pick one.
    """
    # Numbers in headings are their numbering ("(1.3) Đối với …"), not words a citizen types.
    case_words = [{fold(w) for w in words_of(case) if not w.isdigit()} for case in cases]
    common = {fold(w) for w in words_of(name)}
    common |= {w for i, ws in enumerate(case_words) for w in ws
               if any(w in other for j, other in enumerate(case_words) if j != i)}
    words = {fold(w) for w in analysis.content_words if not w.isdigit()}
    if not words:
        return None
    scores = [len(words & (ws - common)) / len(words) for ws in case_words]
    best = max(scores)
    if best >= CASE_MATCH_THRESHOLD and scores.count(best) == 1:
        return scores.index(best) + 1
    return None


def case_named(name: str, cases: list[str], analysis: Analysis) -> int | None:
    """The 1-based case a question names in passing ("xin giấy phép xây nhà ở riêng lẻ").

    Unlike a reply to "which case?", the question also holds the procedure's
    own words, so only words of one case heading alone count (not those of
    several headings), at least two of them and of no other case, and none of the
    procedure's name unless it lists the cases ("… (Tín ngưỡng, tôn giáo/…) và nhà ở riêng lẻ").
    """
    case_words = [{fold(w) for w in words_of(case) if not w.isdigit()} for case in cases]
    shared = {w for i, ws in enumerate(case_words) for w in ws
              if any(w in other for j, other in enumerate(case_words) if j != i)}
    own = [ws - shared for ws in case_words]
    name_words = {fold(w) for w in words_of(name)}
    if sum(1 for ws in own if ws & name_words) < 2:  # the name does not list the cases
        own = [ws - name_words for ws in own]
    said = {fold(w) for w in analysis.content_words}
    scores = [len(said & ws) for ws in own]
    ranked = sorted(scores, reverse=True) + [0]
    if ranked[0] >= MIN_NAMED_CASE_WORDS and ranked[1] < MIN_NAMED_CASE_WORDS:
        return scores.index(ranked[0]) + 1  # one case named, no other one as clearly
    return None


def is_ordinary_case(name: str, case: str) -> bool:
    """Whether ``case`` is the heading "<name>" or "Hồ sơ <name>": the ordinary case."""
    words = [fold(w) for w in words_of(case)]
    if words[:2] == ["ho", "so"]:
        words = words[2:]
    return words == [fold(w) for w in words_of(name)]


def also_asked(analysis: Analysis, aspect: str) -> tuple[str, ...]:
    """Further aspects one message asks ("mất bao lâu và hết bao nhiêu tiền").

    Only short, unambiguous ones are added; words like "hồ sơ" or "online"
    appear in questions about something else ("nộp hồ sơ online ở đâu").
    """
    if aspect not in c.ASPECTS_WITH_EXTRAS:
        return ()
    return tuple(a for a in analysis.aspects if a in c.EXTRA_ASPECTS and a != aspect)
