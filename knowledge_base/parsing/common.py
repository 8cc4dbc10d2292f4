"""Helpers shared by the table parsers."""

from __future__ import annotations

import re
import unicodedata

EMPTY_MARKERS = ("Không có thông tin",)
UPPER = "A-ZÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬĐÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴ"
LOWER = "a-zàáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ"
# "ký xác nhận.Trường hợp": a sentence end glued to the next sentence at a cell join.
_SENTENCE_GLUE_RE = re.compile(rf"(?<=[{LOWER}\d)])([.;:])(?=[{UPPER}][{LOWER}])")
# "thời hạn gửiTờ khai": two words glued at a cell join (not "VNeID", "eKYC", "iPhone").
_WORD_GLUE_RE = re.compile(rf"(?<=[{LOWER}]{{2}})(?=[{UPPER}][{LOWER}])")


def clean(text: str | None) -> str:
    """NFC, collapse whitespace, and turn the portal's empty marker into ''.

    Some portal pages mix decomposed diacritics with composed ones; NFC makes
    the same word compare equal everywhere.
    """
    if not text:
        return ""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return "" if text in EMPTY_MARKERS else text


def clean_prose(text: str | None) -> str:
    """:func:`clean`, then give back the spaces the portal's cell joins swallowed.

    Only for running text read by citizens (document names, headings, steps,
    notes): codes and file names keep their exact spelling.
    """
    text = _SENTENCE_GLUE_RE.sub(r"\1 ", clean(text))
    return _WORD_GLUE_RE.sub(" ", text)


def balanced_paren_end(text: str, start: int) -> int:
    """Return the index just past the ')' closing the '(' at ``start``.

    Unbalanced text (a page join lost the closing bracket) ends at the string end.
    """
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def parse_vnd(number: str) -> int | None:
    """Parse '10,000' or '10.000' or '500' as an integer amount of đồng."""
    digits = re.sub(r"[.,\s]", "", number)
    return int(digits) if digits.isdigit() else None
