"""Zalo webhook events, reduced to what the channel acts on.

Every id is kept as a string (Zalo ids overflow JavaScript numbers, and some
integrations send them as numbers). Events the channel does not act on parse
to ``None`` and are acknowledged and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class EventKind(str, Enum):
    """What the worker does with an event."""

    TEXT = "text"            # a citizen's message: answer it
    NON_TEXT = "non_text"    # image, sticker, audio, file, location…: explain, offer a human
    FOLLOW = "follow"        # greeting with a short menu
    UNFOLLOW = "unfollow"    # nothing sent, conversation closed
    STAFF_ECHO = "staff"     # staff answered from the OA console: the bot goes silent


NON_TEXT_EVENTS = frozenset({
    "user_send_image", "user_send_sticker", "user_send_gif", "user_send_audio",
    "user_send_video", "user_send_file", "user_send_location", "user_send_link",
    "user_send_business_card",
})


@dataclass(frozen=True)
class ZaloEvent:
    """One event the channel acts on.

    Attributes:
        kind: what to do with it.
        event_name: Zalo's ``event_name``.
        user_id: the citizen (for OA echoes: the recipient).
        dedup_key: stable across Zalo's redeliveries (``msg:<msg_id>`` when there is one).
        text: the citizen's text (``user_send_text`` only).
        timestamp_ms: the event time as Zalo stated it, if readable.
        admin_id: the staff member who typed an OA console message.

    """

    kind: EventKind
    event_name: str
    user_id: str
    dedup_key: str
    text: str = ""
    timestamp_ms: int | None = None
    admin_id: str | None = None

    def as_payload(self) -> dict[str, Any]:
        """Return a JSON-safe form for the durable queue."""
        return {"kind": self.kind.value, "event_name": self.event_name, "user_id": self.user_id,
                "dedup_key": self.dedup_key, "text": self.text,
                "timestamp_ms": self.timestamp_ms, "admin_id": self.admin_id}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> ZaloEvent:
        """Rebuild an event stored by :meth:`as_payload`."""
        return cls(kind=EventKind(data["kind"]), event_name=data["event_name"],
                   user_id=data["user_id"], dedup_key=data["dedup_key"],
                   text=data.get("text") or "", timestamp_ms=data.get("timestamp_ms"),
                   admin_id=data.get("admin_id"))


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _node_id(data: dict[str, Any], key: str, field: str = "id") -> str:
    node = data.get(key)
    return _text(node.get(field)) if isinstance(node, dict) else ""


def timestamp_ms(value: Any) -> int | None:
    """Zalo's ``timestamp`` (milliseconds as a string) as an int; seconds are scaled up."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number * 1000 if 0 < number < 10**11 else number


def _kind(event_name: str, data: dict[str, Any]) -> EventKind | None:
    if event_name == "user_send_text":
        return EventKind.TEXT
    if event_name in NON_TEXT_EVENTS:
        return EventKind.NON_TEXT
    if event_name == "follow":
        return EventKind.FOLLOW
    if event_name == "unfollow":
        return EventKind.UNFOLLOW
    if event_name.startswith("oa_send_") and _node_id(data, "sender", "admin_id"):
        return EventKind.STAFF_ECHO
    return None


def _user_id(kind: EventKind, data: dict[str, Any]) -> str:
    if kind is EventKind.STAFF_ECHO:
        return _node_id(data, "recipient")
    if kind in (EventKind.FOLLOW, EventKind.UNFOLLOW):
        return _node_id(data, "follower") or _node_id(data, "sender") or _text(data.get("user_id"))
    return _node_id(data, "sender")


def parse_event(data: Any) -> ZaloEvent | None:
    """Return the event the channel acts on, or ``None`` to acknowledge and ignore it."""
    if not isinstance(data, dict):
        return None
    event_name = _text(data.get("event_name"))
    kind = _kind(event_name, data)
    if kind is None:
        return None
    user_id = _user_id(kind, data)
    if not user_id:
        return None
    found = data.get("message")
    message: dict[str, Any] = found if isinstance(found, dict) else {}
    msg_id = _text(message.get("msg_id"))
    stamp = timestamp_ms(data.get("timestamp"))
    dedup_key = f"msg:{msg_id}" if msg_id else f"{event_name}:{user_id}:{data.get('timestamp')}"
    text = _text(message.get("text")) if kind is EventKind.TEXT else ""
    return ZaloEvent(kind=kind, event_name=event_name, user_id=user_id, dedup_key=dedup_key,
                     text=text, timestamp_ms=stamp,
                     admin_id=_node_id(data, "sender", "admin_id") or None)
