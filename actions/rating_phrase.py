"""Which typed messages are a 1–5 rating: an explicit rating phrase, never any digit.

The buttons send ``/rate{"rating":"4"}``. Typed, a score counts only when the
whole message is a rating phrase: one digit 1–5 with rating words around it
("4 sao", "cho 5 điểm", "chấm 3 nhé", "5/5"), or a bare digit right after the
rating question. A digit inside anything else (``<svg onload=alert(2)>``, "con
tôi 5 tuổi") is no score: satisfaction figures must not count stray digits.
"""

from __future__ import annotations

import re
import unicodedata

SCORES = frozenset({"1", "2", "3", "4", "5"})
# words that make a digit a rating by themselves (accent-folded forms too)
MARKERS = frozenset({"sao", "điểm", "diem", "chấm", "cham"})
# words allowed around the digit in a rating phrase
FILLERS = MARKERS | frozenset({
    "tôi", "toi", "em", "mình", "minh", "cho", "đánh", "danh", "giá", "gia", "được", "duoc",
    "nhé", "nhe", "nha", "ạ", "a", "thôi", "thoi", "là", "la", "bot", "bạn", "ban"})
_WORD = re.compile(r"\w+")
_OUT_OF_FIVE = re.compile(r"^\s*([1-5])\s*/\s*5\s*(?:sao|điểm|diem)?\s*$", re.IGNORECASE)


def typed_rating(text: str, asked: bool) -> str | None:
    """The score ("1"–"5") ``text`` states as a rating phrase, else None.

    Example:
        >>> typed_rating("cho 4 sao nhé", asked=False), typed_rating("2", asked=True)
        ('4', '2')
        >>> typed_rating("<svg onload=alert(2)>", asked=True) is None
        True

    """
    out_of_five = _OUT_OF_FIVE.match(text or "")
    if out_of_five:
        return out_of_five.group(1)
    words = _WORD.findall(unicodedata.normalize("NFC", text or "").lower())
    digits = [w for w in words if any(ch.isdigit() for ch in w)]
    if len(digits) != 1 or digits[0] not in SCORES:
        return None
    others = [w for w in words if w != digits[0]]
    if not all(w in FILLERS for w in others):
        return None
    if asked or any(w in MARKERS for w in others):
        return digits[0]
    return None
