"""Validate the entities a button payload carries before the dialogue uses them.

Payloads come back from the citizen's side as text (``/choose_procedure{"faq_id":"3"}``),
so anyone can type one with any value: a 30-digit id (``OverflowError`` in the
database driver), a word where a number belongs (``ValueError``), a list. A value
that is not what our own buttons send is dropped, and the message goes the normal
way (a question, or "not found"), never to the error reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from actions import constants as c

MAX_OTHER_CHARS = 100
_SMALL_NUMBER = re.compile(r"[0-9]{1,9}")
_PROCEDURE_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,31}")
_RATINGS = frozenset({"1", "2", "3", "4", "5"})


def _valid(name: str, value: str) -> bool:
    if name in (c.ENTITY_FAQ_ID, c.ENTITY_CASE_INDEX):
        return _SMALL_NUMBER.fullmatch(value) is not None
    if name == c.ENTITY_PROCEDURE_CODE:
        return _PROCEDURE_CODE.fullmatch(value) is not None
    if name == c.ENTITY_ASPECT:
        return value in c.ASPECTS
    if name == c.ENTITY_RATING:
        return value in _RATINGS
    return len(value) <= MAX_OTHER_CHARS


def clean_entities(entities: Mapping[object, object]) -> dict[str, str]:
    """The entities whose values our buttons could have sent (as strings); the rest dropped.

    Example:
        >>> clean_entities({"faq_id": "9" * 30, "aspect": "fee", "case_index": [1]})
        {'aspect': 'fee'}

    """
    cleaned: dict[str, str] = {}
    for name, value in entities.items():
        if value is None or isinstance(value, (list, dict, bool, float)):
            continue
        if _valid(str(name), str(value)):
            cleaned[str(name)] = str(value)
    return cleaned
