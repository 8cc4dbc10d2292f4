"""Turning the conversation loop's replies into Zalo messages.

Zalo shows plain text (URLs in it are clickable) up to 2,000 characters per
message, and quick replies as a template attachment of ``oa.query.hide``
buttons whose payload comes back to the webhook as the citizen's text. Long
answers are split at paragraph, line or word boundaries, never inside a link.
Near the free-reply limit the parts are packed into fewer messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

BUTTON_TYPE = "oa.query.hide"
MAX_BUTTON_TITLE = 100  # not confirmed from Zalo's documentation; a conservative cap
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_URL = re.compile(r"https?://\S+")


class ButtonLike(Protocol):
    """A quick reply as the conversation loop returns it."""

    title: str
    payload: str


class MessageLike(Protocol):
    """A bot message as the conversation loop returns it."""

    text: str
    buttons: Sequence[ButtonLike]


@dataclass(frozen=True)
class Part:
    """One Zalo message to send: text and the quick replies under it."""

    text: str
    buttons: tuple[tuple[str, str], ...] = field(default=())

    def body(self) -> dict[str, Any]:
        """Return the ``message`` object of ``/v3.0/oa/message/cs``."""
        message: dict[str, Any] = {"text": self.text}
        if self.buttons:
            message["attachment"] = {"type": "template", "payload": {"buttons": [
                {"title": title, "type": BUTTON_TYPE, "payload": payload}
                for title, payload in self.buttons]}}
        return message


def plain_links(text: str) -> str:
    """Markdown links become ``title: url`` so Zalo shows a clickable URL.

    Example:
        >>> plain_links("Xem [cổng DVC](https://dichvucong.gov.vn)")
        'Xem cổng DVC: https://dichvucong.gov.vn'

    """
    return _MARKDOWN_LINK.sub(lambda m: f"{m.group(1)}: {m.group(2)}", text)


def _inside_url(text: str, cut: int) -> int | None:
    """Start of the URL that position ``cut`` would break, if any."""
    for match in _URL.finditer(text):
        if match.start() < cut < match.end():
            return match.start()
    return None


def _break_at(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", " "):
        cut = window.rfind(separator)
        if cut >= limit // 2 or (separator == " " and cut > 0):
            return cut
    url_start = _inside_url(text, limit)
    return url_start if url_start else limit


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters.

    Example:
        >>> split_text("một hai ba", 7)
        ['một hai', 'ba']

    """
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        cut = _break_at(text, limit)
        head, text = text[:cut].rstrip(), text[cut:].lstrip()
        if head:
            pieces.append(head)
    if text or not pieces:
        pieces.append(text)
    return pieces


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def to_parts(messages: Iterable[MessageLike], limit: int, max_buttons: int,
             more_options_text: str) -> list[Part]:
    """Zalo parts for the loop's replies: split long texts, buttons on the last piece.

    More buttons than Zalo shows in one message continue in extra messages that
    carry ``more_options_text``, so every choice stays clickable.
    """
    parts: list[Part] = []
    for message in messages:
        pieces = split_text(plain_links(message.text or ""), limit)
        buttons = [(b.title[:MAX_BUTTON_TITLE], b.payload) for b in message.buttons]
        groups = list(_chunks(buttons, max_buttons)) or [()]
        parts.extend(Part(piece) for piece in pieces[:-1])
        parts.append(Part(pieces[-1], tuple(groups[0])))
        parts.extend(Part(more_options_text, tuple(group)) for group in groups[1:])
    return [part for part in parts if part.text or part.buttons]


def pack(parts: list[Part], limit: int) -> list[Part]:
    """Merge consecutive parts into as few messages as ``limit`` allows.

    A part with buttons closes its group, so buttons stay under the text they
    belong to.
    """
    packed: list[Part] = []
    for part in parts:
        previous = packed[-1] if packed else None
        if previous and not previous.buttons and \
                len(previous.text) + 2 + len(part.text) <= limit:
            packed[-1] = Part(f"{previous.text}\n\n{part.text}", part.buttons)
        else:
            packed.append(part)
    return packed


@dataclass(frozen=True)
class WindowPlan:
    """What to send now and what is held for staff because the free replies ran out."""

    send: list[Part]
    held: list[Part]
    packed: bool


def plan_for_window(parts: list[Part], remaining: int, limit: int, pack_margin: int) -> WindowPlan:
    """Fit ``parts`` into the ``remaining`` free replies.

    Packs when the answer would leave fewer than ``pack_margin`` replies, then
    sends what fits and holds the rest.
    """
    packed = len(parts) > 1 and remaining - len(parts) < pack_margin
    if packed:
        parts = pack(parts, limit)
    allowed = max(remaining, 0)
    return WindowPlan(send=parts[:allowed], held=parts[allowed:], packed=packed)
