"""Talking to the real app's chat API like the widget does."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.db_models import ConversationRow, TurnRow


def say(url: str, sender: str, text: str) -> dict[str, Any]:
    """POST one message; the answer must be a 200."""
    response = httpx.post(f"{url}/api/chat", json={"sender_id": sender, "text": text},
                          timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def all_text(answer: dict[str, Any]) -> str:
    return "\n".join(m["text"] for m in answer["messages"])


def buttons(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [b for m in answer["messages"] for b in m["buttons"]]


def stored_turns(database_url: str, sender: str) -> list[TurnRow]:
    """The turns the app stored for a web sender."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.scalars(
                select(TurnRow).join(ConversationRow, TurnRow.conversation_id == ConversationRow.id)
                .where(ConversationRow.sender_id == f"web:{sender}").order_by(TurnRow.id)))
    finally:
        engine.dispose()
