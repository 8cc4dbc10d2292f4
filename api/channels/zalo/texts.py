"""The channel's own citizen-facing texts, read from ``messages.yml``.

Kept as data so the ward can reword them without touching code. Placeholders
such as ``{office_name}`` are filled from the office info; unknown ones are
left as written, so a missing value is visible rather than half-filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parent / "messages.yml"
REQUIRED = ("follow", "non_text", "more_options", "error")


@dataclass(frozen=True)
class TextButton:
    """A quick reply read from the texts file."""

    title: str
    payload: str


@dataclass(frozen=True)
class TextMessage:
    """A rendered message: text and quick replies."""

    text: str
    buttons: tuple[TextButton, ...] = ()


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown names stay as written.

    Example:
        >>> fill("Chào {a} {b}", {"a": "bạn"})
        'Chào bạn {b}'

    """
    try:
        return template.format_map(_Keep(values))
    except (ValueError, IndexError, AttributeError):
        return template


class ChannelTexts:
    """The entries of the texts file, loaded once."""

    def __init__(self, entries: dict[str, dict[str, Any]]) -> None:
        missing = [name for name in REQUIRED if name not in entries]
        if missing:
            raise ValueError(f"Zalo texts file lacks entries: {', '.join(missing)}")
        self._entries = entries

    @classmethod
    def load(cls, path: Path = DEFAULT_PATH) -> ChannelTexts:
        """Read the texts file (the packaged ``messages.yml`` by default)."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def render(self, name: str, values: dict[str, str] | None = None) -> TextMessage:
        """Render the message ``name`` with its placeholders filled from ``values``."""
        entry = self._entries[name]
        values = values or {}
        buttons = tuple(TextButton(fill(str(b["title"]), values), str(b["payload"]))
                        for b in entry.get("buttons") or ())
        return TextMessage(fill(str(entry.get("text", "")), values), buttons)
