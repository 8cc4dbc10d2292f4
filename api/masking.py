"""Mask personal data in citizen messages before they are stored or logged.

Masked: Vietnamese ID numbers (CMND 9 digits, CCCD 12 digits), phone numbers
(0xxxxxxxxx, +84…, 84…, landlines), e-mail addresses and application codes
(mã hồ sơ, e.g. ``H01.123-250101-0001``), however they are typed: glued to a
label (``cccd001203045069``, ``sdt0987654323``), grouped by spaces (double
ones too), dots, dashes, slashes or parentheses (``(098) 765 4325``), after
``số:``. The rule is deliberately simple so that new ways of typing do not slip
through: any run of digits joined by such separators that holds 9 digits or
more is masked as a whole. Shorter numbers are kept, so procedure codes
(``1.001193``), fees (``10,000``), dates and years stay readable.

Every text is masked, button payloads (``/intent{...}``) included: their values
are typed by whoever posts them. :func:`mask_pii` is idempotent.
"""

from __future__ import annotations

import re

MASK = "***"
MIN_DIGITS = 9
# separators a citizen puts between digit groups (not commas: "10,000,000 đồng")
_SEPARATOR = r"[ \t\u00a0.\-/()_]{1,3}"
_DIGIT_RUN = re.compile(rf"\d(?:(?:{_SEPARATOR})?\d)*")
_PATTERNS = [
    # application codes: segments joined by dots/dashes ending in a date and a number
    re.compile(r"\b[\w.]*\d[\w.]*-\d{6}-\d{3,6}\b"),
    re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
]
_DIGIT = re.compile(r"\d")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(_DIGIT.findall(run)) < MIN_DIGITS:
        return run
    return MASK


def mask_pii(text: str) -> str:
    """Return ``text`` with personal numbers and addresses replaced by ``***``.

    Example:
        >>> mask_pii("CCCD 001090012345, sdt 0912 345 678")
        'CCCD ***, sdt ***'
        >>> mask_pii("cccd001203045069 (098) 765 4325")
        'cccd***'

    """
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return _DIGIT_RUN.sub(_mask_run, text)


def mask_value(value: object) -> object:
    """Mask every string inside a JSON-like value (dicts, lists), leaving the rest as is."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: mask_value(item) for key, item in value.items()}
    return value


def is_payload(text: str) -> bool:
    """Whether ``text`` is shaped like a button payload (``/intent{...}``); still masked."""
    return text.startswith("/")
