"""The durable inbound queue and outbox (synchronous database operations).

Accepting an event is one insert that ignores duplicates of its ``dedup_key``,
so Zalo's redeliveries, even after a restart, are recognised. A worker claims
a citizen (compare-and-swap on ``zalo_users.holder``/``lease_until``) before
handling that citizen's events, so events of one citizen are handled in order
even with several processes, while different citizens proceed in parallel.
Replies are decided once and written to the outbox before anything is sent:
after a crash the worker resends only what was not sent, and never asks the
conversation loop again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, cast

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.channels.zalo.events import ZaloEvent
from api.channels.zalo.models import (
    DONE,
    FAILED,
    HELD,
    PENDING,
    SENT,
    ZaloInboundRow,
    ZaloOutboxRow,
    ZaloUserRow,
)
from api.masking import mask_pii
from knowledge_base.db import utcnow


class QueueUnavailableError(Exception):
    """The intake could not store an event (the webhook answers 503 so Zalo retries)."""


class EventIntake(Protocol):
    """Where the webhook durably puts an event before answering 200.

    :class:`DatabaseIntake` (the default) writes ``zalo_inbound`` directly;
    ``queue_redis.RedisIntake`` (``TTHC_REDIS_URL``) writes a Redis Stream and
    pumps it into ``zalo_inbound``. Either way the worker reads the database.
    """

    def enqueue(self, event: ZaloEvent) -> bool:
        """Store ``event`` (blocking); False when it was already received."""

    async def start(self, stored: Callable[[], None], executor: Executor) -> None:
        """Start whatever background work the intake needs."""

    async def stop(self) -> None:
        """Stop that work."""


class DatabaseIntake:
    """The default intake: the database queue itself."""

    def __init__(self, queue: InboundQueue) -> None:
        self._queue = queue

    def enqueue(self, event: ZaloEvent) -> bool:
        """Insert the event into ``zalo_inbound`` (duplicates ignored)."""
        return self._queue.enqueue(event)

    async def start(self, stored: Callable[[], None], executor: Executor) -> None:
        """Nothing runs in the background."""

    async def stop(self) -> None:
        """Nothing to stop."""


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def insert_ignoring_duplicates(session: Session, table: Any, values: dict[str, Any],
                               key: str) -> bool:
    """Insert a row unless one with the same ``key`` exists; True when inserted."""
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        result = cast(CursorResult[Any], session.execute(
            insert(table).values(**values).on_conflict_do_nothing(index_elements=[key])))
        return bool(result.rowcount)
    try:
        with session.begin_nested():
            session.execute(table.insert().values(**values))
        return True
    except IntegrityError:
        return False


class InboundQueue:
    """Queue operations for one worker identity (``holder``)."""

    def __init__(self, sessions: sessionmaker, holder: str, lease_seconds: float) -> None:
        self._sessions = sessions
        self.holder = holder
        self._lease = timedelta(seconds=lease_seconds)

    def enqueue(self, event: ZaloEvent) -> bool:
        """Store an accepted event; False when it was already received."""
        with self._sessions.begin() as session:
            return insert_ignoring_duplicates(session, ZaloInboundRow.__table__, {
                "dedup_key": event.dedup_key, "user_id": event.user_id,
                "event_name": event.event_name, "event": event.as_payload(),
                "status": PENDING, "planned": False, "attempts": 0, "created_at": utcnow(),
            }, "dedup_key")

    def users_with_work(self, exclude: set[str], limit: int) -> list[str]:
        """Citizens with pending events that no live worker holds, oldest first."""
        now = utcnow()
        free = or_(ZaloUserRow.holder.is_(None), ZaloUserRow.holder == self.holder,
                   ZaloUserRow.lease_until.is_(None), ZaloUserRow.lease_until <= now)
        query = (select(ZaloInboundRow.user_id)
                 .outerjoin(ZaloUserRow, ZaloUserRow.user_id == ZaloInboundRow.user_id)
                 .where(ZaloInboundRow.status == PENDING, free)
                 .group_by(ZaloInboundRow.user_id)
                 .order_by(func.min(ZaloInboundRow.id))
                 .limit(limit + len(exclude)))
        with self._sessions() as session:
            users = session.scalars(query).all()
        return [user for user in users if user not in exclude][:limit]

    def claim(self, user_id: str) -> bool:
        """Take (or renew) this worker's lease on a citizen; False if another holds it."""
        now = utcnow()
        with self._sessions.begin() as session:
            insert_ignoring_duplicates(session, ZaloUserRow.__table__, {
                "user_id": user_id, "replies_in_window": 0, "followed": True,
                "followup_needed": False, "updated_at": now}, "user_id")
            result = session.execute(
                update(ZaloUserRow)
                .where(ZaloUserRow.user_id == user_id,
                       or_(ZaloUserRow.holder.is_(None), ZaloUserRow.holder == self.holder,
                           ZaloUserRow.lease_until.is_(None), ZaloUserRow.lease_until < now))
                .values(holder=self.holder, lease_until=now + self._lease))
            return result.rowcount == 1

    def release(self, user_id: str) -> None:
        """Give up this worker's claim on a citizen."""
        with self._sessions.begin() as session:
            session.execute(update(ZaloUserRow)
                            .where(ZaloUserRow.user_id == user_id,
                                   ZaloUserRow.holder == self.holder)
                            .values(holder=None, lease_until=None))

    def release_all(self) -> None:
        """Give up every claim of this worker (graceful shutdown)."""
        with self._sessions.begin() as session:
            session.execute(update(ZaloUserRow).where(ZaloUserRow.holder == self.holder)
                            .values(holder=None, lease_until=None))

    def next_event(self, user_id: str) -> ZaloInboundRow | None:
        """Return the citizen's oldest unfinished event."""
        with self._sessions() as session:
            return session.scalars(
                select(ZaloInboundRow)
                .where(ZaloInboundRow.user_id == user_id, ZaloInboundRow.status == PENDING)
                .order_by(ZaloInboundRow.id).limit(1)).first()

    def plan(self, inbound_id: int, to_send: Sequence[dict[str, Any]],
             held: Sequence[dict[str, Any]], outcome: str) -> None:
        """Record the decided replies and forget the citizen's raw text (only masked text stays)."""
        with self._sessions.begin() as session:
            row = session.get(ZaloInboundRow, inbound_id)
            if row is None or row.planned:
                return
            bodies = [(body, PENDING) for body in to_send] + [(body, HELD) for body in held]
            for seq, (body, status) in enumerate(bodies):
                session.add(ZaloOutboxRow(inbound_id=inbound_id, user_id=row.user_id, seq=seq,
                                          body=body, status=status, created_at=utcnow()))
            event = dict(row.event)
            event["text"] = mask_pii(event.get("text") or "")
            row.event, row.planned, row.outcome = event, True, outcome
            row.attempts += 1

    def count_attempt(self, inbound_id: int) -> None:
        """Remember a failed try, so a message that keeps failing gets an apology instead."""
        with self._sessions.begin() as session:
            session.execute(update(ZaloInboundRow).where(ZaloInboundRow.id == inbound_id)
                            .values(attempts=ZaloInboundRow.attempts + 1))

    def unsent(self, inbound_id: int) -> list[ZaloOutboxRow]:
        """Return the replies of an event still to send, in order."""
        with self._sessions() as session:
            return list(session.scalars(
                select(ZaloOutboxRow)
                .where(ZaloOutboxRow.inbound_id == inbound_id, ZaloOutboxRow.status == PENDING)
                .order_by(ZaloOutboxRow.seq)))

    def mark_sent(self, outbox_id: int, message_id: str | None) -> None:
        """Record that Zalo accepted a reply."""
        with self._sessions.begin() as session:
            session.execute(update(ZaloOutboxRow).where(ZaloOutboxRow.id == outbox_id).values(
                status=SENT, sent_at=utcnow(), zalo_message_id=message_id,
                attempts=ZaloOutboxRow.attempts + 1))

    def mark_failed(self, outbox_id: int, code: int, error: str) -> None:
        """Record a reply Zalo finally refused, with its error code."""
        with self._sessions.begin() as session:
            session.execute(update(ZaloOutboxRow).where(ZaloOutboxRow.id == outbox_id).values(
                status=FAILED, error_code=code, error=error[:500],
                attempts=ZaloOutboxRow.attempts + 1))

    def finish(self, inbound_id: int, outcome: str | None = None,
               error: str | None = None) -> None:
        """Mark an event handled (its raw text is masked if it was never planned)."""
        with self._sessions.begin() as session:
            row = session.get(ZaloInboundRow, inbound_id)
            if row is None:
                return
            row.status, row.done_at = DONE, utcnow()
            row.outcome = outcome or row.outcome
            row.error = error
            if not row.planned:
                event = dict(row.event)
                event["text"] = mask_pii(event.get("text") or "")
                row.event = event

    def prune(self, retention_days: float) -> int:
        """Delete finished events (and their sent replies) past the de-duplication window."""
        cutoff = utcnow() - timedelta(days=retention_days)
        with self._sessions.begin() as session:
            old = select(ZaloInboundRow.id).where(ZaloInboundRow.status == DONE,
                                                  ZaloInboundRow.created_at < cutoff)
            session.execute(delete(ZaloOutboxRow).where(ZaloOutboxRow.inbound_id.in_(old),
                                                        ZaloOutboxRow.status == SENT))
            return session.execute(delete(ZaloInboundRow).where(
                ZaloInboundRow.status == DONE, ZaloInboundRow.created_at < cutoff)).rowcount
