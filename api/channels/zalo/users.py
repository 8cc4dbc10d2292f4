"""Per-citizen state of the Zalo channel: free-reply window, staff takeover, follow.

Window: Zalo lets the OA reply for free a limited number of times (about 8)
within 48 hours of the citizen's last message; each citizen message opens a new
window. Takeover: when a staff member answers from the OA console the bot goes
silent for that citizen until staff hand the conversation back (the support
console sets the conversation's owner back to ``bot``) or the timeout passes.
The takeover is mirrored in the shared ``conversations.owner`` field so the
support console shows who is answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.channels.zalo.models import ZaloUserRow
from api.channels.zalo.queue import as_utc, insert_ignoring_duplicates
from api.db_models import OWNER_BOT, OWNER_WAITING, STAFF_PREFIX, ConversationRow
from knowledge_base.db import utcnow

CHANNEL = "zalo"
FOLLOWUP_REPLY_LIMIT = "zalo_reply_limit"
FOLLOWUP_SEND_FAILED = "zalo_send_failed"


def staff_marker(admin_id: str) -> str:
    """Conversation owner while an OA console admin answers."""
    return f"{STAFF_PREFIX}zalo-oa-{admin_id}"


@dataclass(frozen=True)
class WindowState:
    """Free replies left for a citizen right now."""

    remaining: int
    open: bool


class UserStates:
    """Database operations on ``zalo_users`` (and the mirrored conversation owner)."""

    def __init__(self, sessions: sessionmaker, reply_limit: int, window_hours: float,
                 takeover_minutes: float) -> None:
        self._sessions = sessions
        self._limit = reply_limit
        self._window = timedelta(hours=window_hours)
        self._takeover = timedelta(minutes=takeover_minutes)

    def _row(self, session: Session, user_id: str) -> ZaloUserRow:
        insert_ignoring_duplicates(session, ZaloUserRow.__table__, {
            "user_id": user_id, "replies_in_window": 0, "followed": True,
            "followup_needed": False, "updated_at": utcnow()}, "user_id")
        row = session.get(ZaloUserRow, user_id, populate_existing=True)
        if row is None:  # inserted just above: only a concurrent delete can remove it
            raise LookupError("zalo user state vanished while being read")
        return row

    @staticmethod
    def _conversation(session: Session, user_id: str) -> ConversationRow | None:
        return session.scalar(select(ConversationRow).where(
            ConversationRow.channel == CHANNEL, ConversationRow.user_id == user_id))

    # --- free-reply window ---------------------------------------------------
    def citizen_wrote(self, user_id: str, at: datetime | None = None) -> None:
        """Open a fresh window: the citizen wrote (or followed the OA)."""
        now = utcnow()
        at = min(at or now, now)
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            last = as_utc(row.last_user_message_at)
            if last is None or at >= last:
                row.last_user_message_at, row.replies_in_window = at, 0
            row.followed, row.updated_at = True, now

    def window(self, user_id: str) -> WindowState:
        """Return how many free replies the citizen's window still allows."""
        with self._sessions() as session:
            row = session.get(ZaloUserRow, user_id)
        last = as_utc(row.last_user_message_at) if row else None
        if last is None or utcnow() - last > self._window:
            return WindowState(0, False)
        return WindowState(max(self._limit - row.replies_in_window, 0), True)

    def count_reply(self, user_id: str) -> None:
        """Count one message sent to the citizen."""
        with self._sessions.begin() as session:
            self._row(session, user_id)
            session.execute(update(ZaloUserRow).where(ZaloUserRow.user_id == user_id).values(
                replies_in_window=ZaloUserRow.replies_in_window + 1, updated_at=utcnow()))

    def flag_followup(self, user_id: str, reason: str) -> None:
        """Record that staff should follow up, and put the conversation in their inbox."""
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            row.followup_needed, row.followup_reason, row.updated_at = True, reason, utcnow()
            conversation = self._conversation(session, user_id)
            if conversation is not None and conversation.owner == OWNER_BOT:
                conversation.owner, conversation.handoff_reason = OWNER_WAITING, reason
                conversation.updated_at = utcnow()

    # --- staff takeover ------------------------------------------------------
    def staff_answered(self, user_id: str, admin_id: str) -> None:
        """Silence the bot for a citizen a staff member answered (extends the timeout)."""
        marker = staff_marker(admin_id)
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            row.staff_owner, row.staff_until = marker, utcnow() + self._takeover
            row.replies_in_window += 1
            conversation = self._conversation(session, user_id)
            if conversation is None:  # same shape as the conversation loop's rows
                session.add(ConversationRow(sender_id=f"{CHANNEL}:{user_id}", channel=CHANNEL,
                                            user_id=user_id, owner=marker, topic={}))
            elif not conversation.owner.startswith(STAFF_PREFIX):
                conversation.owner, conversation.updated_at = marker, utcnow()

    def silenced(self, user_id: str) -> bool:
        """Tell whether an OA console takeover is active; clear expired or released ones."""
        with self._sessions.begin() as session:
            row = session.get(ZaloUserRow, user_id)
            if row is None or row.staff_owner is None:
                return False
            conversation = self._conversation(session, user_id)
            mirrored = conversation is None or conversation.owner == row.staff_owner
            until = as_utc(row.staff_until)
            if mirrored and until is not None and utcnow() < until:
                return True
            if conversation is not None and conversation.owner == row.staff_owner:
                conversation.owner, conversation.updated_at = OWNER_BOT, utcnow()
            row.staff_owner, row.staff_until = None, None
            return False

    # --- follow --------------------------------------------------------------
    def unfollowed(self, user_id: str) -> None:
        """Close the citizen's conversation: no takeover, back to the bot, not followed."""
        with self._sessions.begin() as session:
            row = self._row(session, user_id)
            row.followed, row.staff_owner, row.staff_until = False, None, None
            row.updated_at = utcnow()
            conversation = self._conversation(session, user_id)
            if conversation is not None:
                conversation.owner, conversation.handoff_reason = OWNER_BOT, None
                conversation.updated_at = utcnow()

    def state(self, user_id: str) -> ZaloUserRow | None:
        """Return the citizen's row (for tests and the support desk)."""
        with self._sessions() as session:
            return session.get(ZaloUserRow, user_id)
