"""Tables of the Zalo channel, on the project's shared declarative ``Base``.

* ``zalo_inbound``: the durable queue of webhook events (unique by Zalo's
  ``msg_id``, so redeliveries, even after a restart, are recognised).
* ``zalo_outbox``: the replies decided for an event, sent one by one; a reply
  that could not be sent stays here with its error (never silently lost).
* ``zalo_users``: per citizen, the worker's claim (ordering across processes),
  the free-reply window, staff takeover and follow state.
* ``zalo_tokens``: the OA access token and its single-use refresh token, one row,
  rotated by compare-and-swap on ``version``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from knowledge_base.db import Base, utcnow

PENDING = "pending"
DONE = "done"
SENT = "sent"
FAILED = "failed"
HELD = "held"


class ZaloInboundRow(Base):
    """One accepted webhook event, processed in ``id`` order per citizen."""

    __tablename__ = "zalo_inbound"
    __table_args__ = (Index("ix_zalo_inbound_user_status", "user_id", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[str] = mapped_column(String(64))
    event_name: Mapped[str] = mapped_column(String(64))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    planned: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ZaloOutboxRow(Base):
    """One message to send to a citizen, in ``seq`` order within its event."""

    __tablename__ = "zalo_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inbound_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    zalo_message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ZaloUserRow(Base):
    """Per-citizen state of the channel."""

    __tablename__ = "zalo_users"
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_user_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                                  nullable=True)
    replies_in_window: Mapped[int] = mapped_column(Integer, default=0)
    followed: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    staff_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    followup_needed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    followup_reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ZaloTokenRow(Base):
    """The OA's current tokens (a single row, ``id == 1``)."""

    __tablename__ = "zalo_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    refresh_token: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    refreshing_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    refreshing_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                              nullable=True)
    seed_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


TABLES = [ZaloInboundRow.__table__, ZaloOutboxRow.__table__, ZaloUserRow.__table__,
          ZaloTokenRow.__table__]
