"""Tables of the support desk: staff messages to citizens and proposals for admins.

Conversations and turns belong to the app core (:mod:`api.db_models`); these
tables only reference them. Staff messages get increasing ids, which the web
widget uses as its polling cursor.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from api.db_models import ConversationRow, RatingRow, TurnRow
from knowledge_base.db import Base, create_tables, utcnow

DELIVERY_WEB = "web"  # fetched by the widget through /api/chat/updates
DELIVERY_SENT = "sent"
DELIVERY_FAILED = "failed"
DELIVERY_STORED = "stored"  # no sender available for the channel

PROPOSAL_FAQ = "faq"
PROPOSAL_PHRASING = "phrasing"
STATUS_PENDING = "pending"
STATUS_ACCEPTED = "accepted"
STATUS_REJECTED = "rejected"


class StaffMessageRow(Base):
    """A message a staff member sent to the citizen of a conversation."""

    __tablename__ = "support_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey(ConversationRow.id), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(16), default=DELIVERY_WEB)


class ProposalRow(Base):
    """A support proposal for the admin review queue: a new FAQ entry or a new phrasing."""

    __tablename__ = "review_proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=STATUS_PENDING, index=True)
    question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    target_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    conversation_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    proposed_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    result_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)


def ensure_tables(engine: Engine) -> None:
    """Create the conversation and support tables if missing (idempotent)."""
    create_tables(engine, [
        ConversationRow.__table__, TurnRow.__table__, RatingRow.__table__,
        StaffMessageRow.__table__, ProposalRow.__table__])
