"""Tables of the conversation log: conversations, turns and ratings.

They share the knowledge base's declarative ``Base`` and database, so one
SQLite file (or one PostgreSQL database) holds everything; import this module
before ``create_db_engine`` (or call ``Base.metadata.create_all``).
Citizen text is stored masked (see :mod:`api.masking`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from knowledge_base.db import Base, utcnow

OWNER_BOT = "bot"
OWNER_WAITING = "waiting"
STAFF_PREFIX = "staff:"


class ConversationRow(Base):
    """One citizen on one channel; ``owner`` is bot, waiting or ``staff:<name>``."""

    __tablename__ = "conversations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    channel: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str] = mapped_column(String(128), default=OWNER_BOT, index=True)
    handoff_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    topic: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)


class TurnRow(Base):
    """One citizen message and what the assistant did with it."""

    __tablename__ = "conversation_turns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    procedure: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    replies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16), default="rasa")
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[bool] = mapped_column(Boolean, default=False)


class RatingRow(Base):
    """A 1–5 satisfaction score given at the end of a conversation."""

    __tablename__ = "conversation_ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    score: Mapped[int] = mapped_column(Integer)
