"""After a load run: check in the database that nothing was lost or answered twice.

Web: every message the generator got a 200 for has exactly one stored turn with a
reply (per sender, counts must match exactly). Zalo: every signed event posted and
acknowledged is queued once (de-duplicated), handled, its reply parts were sent once
each, and the fake Zalo server received exactly the parts the outbox marked sent.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.channels.zalo.models import ZaloInboundRow, ZaloOutboxRow
from api.db_models import ConversationRow, TurnRow


def web_turns(session: Session, prefix: str) -> dict[str, tuple[int, int]]:
    """``sender -> (turns, turns without a reply)`` for web senders starting with ``prefix``."""
    rows = session.execute(
        select(ConversationRow.user_id, TurnRow.replies)
        .join(TurnRow, TurnRow.conversation_id == ConversationRow.id)
        .where(ConversationRow.channel == "web", ConversationRow.user_id.like(f"{prefix}%")))
    counts: dict[str, list[int]] = {}
    for user_id, replies in rows:
        entry = counts.setdefault(user_id, [0, 0])
        entry[0] += 1
        entry[1] += 0 if replies else 1
    return {user: (total, empty) for user, (total, empty) in counts.items()}


def reconcile_web(session: Session, prefix: str, sent: Counter) -> dict[str, int]:
    """Compare acknowledged web messages per sender with stored turns."""
    stored = web_turns(session, prefix)
    lost = sum(max(0, n - stored.get(s, (0, 0))[0]) for s, n in sent.items())
    duplicated = sum(max(0, t - sent.get(s, 0)) for s, (t, _) in stored.items())
    no_reply = sum(empty for _, empty in stored.values())
    return {"web_sent": sum(sent.values()), "web_stored_turns": sum(t for t, _ in stored.values()),
            "web_lost": lost, "web_duplicated": duplicated, "web_turns_without_reply": no_reply}


def reconcile_zalo(session: Session, user_prefix: str, acknowledged: Counter,
                   received_parts: int) -> dict[str, int]:
    """Compare acknowledged Zalo events with the queue, the outbox and the fake's inbox."""
    inbound = list(session.scalars(select(ZaloInboundRow).where(
        ZaloInboundRow.user_id.like(f"{user_prefix}%"))))
    per_user = Counter(row.user_id for row in inbound)
    lost = sum(max(0, n - per_user.get(u, 0)) for u, n in acknowledged.items())
    duplicated = sum(max(0, n - acknowledged.get(u, 0)) for u, n in per_user.items())
    ids = [row.id for row in inbound]
    outbox = list(session.scalars(select(ZaloOutboxRow).where(ZaloOutboxRow.inbound_id.in_(ids))))
    parts = Counter((row.inbound_id, row.seq) for row in outbox)
    sent = [row for row in outbox if row.status == "sent"]
    answered = {row.inbound_id for row in sent}
    unanswered = sum(1 for row in inbound if row.id not in answered)
    return {"zalo_acknowledged": sum(acknowledged.values()), "zalo_queued": len(inbound),
            "zalo_not_done": sum(1 for row in inbound if row.status != "done"),
            "zalo_lost": lost, "zalo_duplicated_events": duplicated,
            "zalo_events_without_sent_reply": unanswered,
            "zalo_duplicated_reply_parts": sum(n - 1 for n in parts.values() if n > 1),
            "zalo_parts_sent": len(sent), "zalo_parts_received_by_fake": received_parts}


def zalo_pending(database_url: str, user_prefix: str) -> int:
    """How many of the run's Zalo events are still being handled."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(ZaloInboundRow).where(
                ZaloInboundRow.user_id.like(f"{user_prefix}%"),
                ZaloInboundRow.status != "done")) or 0
    finally:
        engine.dispose()


def reconcile(database_url: str, web_prefix: str, web_sent: Counter, zalo_prefix: str,
              zalo_acknowledged: Counter, zalo_received: int) -> dict[str, Any]:
    """All reconciliation numbers of one run (all ``*_lost``/``*_duplicated*`` must be 0)."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            numbers = reconcile_web(session, web_prefix, web_sent)
            if zalo_acknowledged:
                numbers.update(reconcile_zalo(session, zalo_prefix, zalo_acknowledged,
                                              zalo_received))
    finally:
        engine.dispose()
    return numbers
