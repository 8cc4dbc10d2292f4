"""Errors of the appointment API, with messages from ``messages.yml`` (text is data)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import HTTPException

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    data = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8")) or {}
    return {str(key): str(value).strip() for key, value in data.items()}


def message(key: str, /, **values: Any) -> str:
    """Message ``key`` with its ``{placeholders}`` filled."""
    text = _messages()[key]
    return text.format(**values) if values else text


class AppointmentError(HTTPException):
    """An HTTP error whose ``detail`` is a plain Vietnamese sentence; ``key`` names it."""

    def __init__(self, status_code: int, key: str, /, **values: Any) -> None:
        super().__init__(status_code=status_code, detail=message(key, **values))
        self.key = key
