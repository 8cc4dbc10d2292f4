"""Staff-facing messages, read from ``messages.yml`` (text is data, not Python strings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    data = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8")) or {}
    return {str(key): str(value).strip() for key, value in data.items()}


def message(message_key: str, /, **values: Any) -> str:
    """Return message ``key`` with its ``{placeholders}`` filled (unknown keys raise)."""
    text = _messages()[message_key]
    return text.format(**values) if values else text
