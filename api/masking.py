"""Mask personal data in citizen messages before they are stored or logged.

Masked: Vietnamese ID numbers (CMND 9 digits, CCCD 12 digits, also typed in
groups), phone numbers (0xxxxxxxxx, +84…, 84…), e-mail addresses and
application codes (mã hồ sơ, e.g. ``H01.123-250101-0001``).
Procedure codes such as ``1.001193`` are not personal data and are kept.
"""

from __future__ import annotations

import re

MASK = "***"
_PATTERNS = [
    # application codes: segments joined by dots/dashes ending in a date and a number
    re.compile(r"\b[\w.]*\d[\w.]*-\d{6}-\d{3,6}\b"),
    re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
    # phone numbers: +84 / 84 / 0 followed by 9 digits, optionally grouped
    re.compile(r"(?<![\w.])(?:\+84|84|0)(?:[\s.-]?\d){9,10}(?![\d.])"),
    # ID numbers: 12 or 9 digits, optionally grouped by spaces, dots or dashes
    re.compile(r"(?<![\w.])\d(?:[\s.-]?\d){11}(?![\d.])"),
    re.compile(r"(?<![\w.])\d(?:[\s.-]?\d){8}(?![\d.])"),
]


def mask_pii(text: str) -> str:
    """Return ``text`` with personal numbers and addresses replaced by ``***``.

    Example:
        >>> mask_pii("CCCD 001090012345, sdt 0912 345 678")
        'CCCD ***, sdt ***'

    """
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def is_payload(text: str) -> bool:
    """Button payloads (``/intent{...}``) carry no personal data and are sent as they are."""
    return text.startswith("/")
