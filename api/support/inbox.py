"""The support inbox: who waits for staff, transcripts, claim/release and staff replies.

Ownership moves bot → waiting (the app core hands off) → ``staff:<name>`` (claim)
→ bot (release). Claim and release are single conditional UPDATEs, so two
staff members clicking at once cannot both own a conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.auth.errors import StaffError
from api.auth.models import as_utc
from api.db_models import OWNER_BOT, OWNER_WAITING, STAFF_PREFIX, ConversationRow, TurnRow
from api.masking import mask_pii
from api.support.models import DELIVERY_WEB, StaffMessageRow
from api.support.schemas import (
    ConversationDetail,
    InboxItem,
    StaffMessageOut,
    TranscriptEntry,
    UpdatesOut,
)
from api.support.suggestions import ContextTurn, ConversationContext
from knowledge_base.db import utcnow

MAX_REPLY_CHARS = 2000
HANDOFF_DECISION = "handoff"
PREVIEW_CHARS = 160
UPDATES_BATCH = 50
RELEASE_AUTHOR = "@release"  # not a valid username: the desk's own message at release


def staff_owner(username: str) -> str:
    """Return the ``owner`` value of a conversation claimed by ``username``."""
    return f"{STAFF_PREFIX}{username}"


def public_owner(owner: str) -> str:
    """Owner as the citizen's widget understands it: bot, waiting or staff (no name)."""
    return "staff" if owner.startswith(STAFF_PREFIX) else owner


@dataclass(frozen=True)
class ReplyTarget:
    """Where a staff reply goes: the conversation's channel and the channel's user id."""

    conversation_id: int
    channel: str
    user_id: str


class InboxService:
    """Queries and state changes of the support desk on the shared database."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    # --- lists --------------------------------------------------------------
    def queue(self) -> list[InboxItem]:
        """Conversations waiting for staff (oldest first), then those staff own."""
        with self.sessions() as session:
            rows = list(session.scalars(select(ConversationRow).where(or_(
                ConversationRow.owner == OWNER_WAITING,
                ConversationRow.owner.startswith(STAFF_PREFIX)))))
            since = self._handoff_times(session, [row.id for row in rows])
            items = [self._item(session, row, since.get(row.id)) for row in rows]
        items.sort(key=lambda item: (item.owner != OWNER_WAITING, item.waiting_since))
        return items

    @staticmethod
    def _handoff_times(session: Session, ids: list[int]) -> dict[int, datetime]:
        if not ids:
            return {}
        found = session.execute(select(TurnRow.conversation_id, func.max(TurnRow.at))
                                .where(TurnRow.conversation_id.in_(ids),
                                       TurnRow.decision == HANDOFF_DECISION)
                                .group_by(TurnRow.conversation_id))
        return {cid: as_utc(at) for cid, at in found}

    def _item(self, session: Session, row: ConversationRow, since: datetime | None) -> InboxItem:
        waiting_since = since or as_utc(row.updated_at)
        last = session.scalar(select(TurnRow).where(TurnRow.conversation_id == row.id)
                              .order_by(TurnRow.id.desc()).limit(1))
        count = session.scalar(select(func.count()).select_from(TurnRow)
                               .where(TurnRow.conversation_id == row.id))
        preview = mask_pii(last.text)[:PREVIEW_CHARS] if last else ""
        return InboxItem(
            id=row.id, channel=row.channel, owner=row.owner, handoff_reason=row.handoff_reason,
            waiting_since=waiting_since,
            waiting_seconds=max(0, int((utcnow() - waiting_since).total_seconds())),
            last_message=preview, turns=int(count or 0))

    # --- one conversation -----------------------------------------------------
    def detail(self, conversation_id: int,
               originals: Mapping[int, str] | None = None) -> ConversationDetail:
        """Return the whole transcript: citizen turns, bot replies and staff messages by time.

        ``originals`` (turn id -> unmasked text, see :mod:`api.support.pii_view`) replaces
        the masked citizen text for staff; the last citizen message stays masked because
        it feeds the suggestions search.
        """
        with self.sessions() as session:
            row = self._conversation(session, conversation_id)
            since = self._handoff_times(session, [row.id]).get(row.id)
            turns = list(session.scalars(select(TurnRow).where(TurnRow.conversation_id == row.id)
                                         .order_by(TurnRow.at, TurnRow.id)))
            staff = list(session.scalars(select(StaffMessageRow).where(
                StaffMessageRow.conversation_id == row.id).order_by(StaffMessageRow.id)))
        entries = [entry for turn in turns
                   for entry in _turn_entries(turn, (originals or {}).get(turn.id))]
        entries += [TranscriptEntry(at=as_utc(m.at), speaker="staff", text=m.text,
                                    author=m.author, delivery=m.delivery) for m in staff]
        entries.sort(key=lambda entry: entry.at)
        last_citizen = next((t.text for t in reversed(turns) if not t.text.startswith("/")), "")
        return ConversationDetail(
            id=row.id, channel=row.channel, owner=row.owner, handoff_reason=row.handoff_reason,
            waiting_since=since or as_utc(row.updated_at), last_citizen_message=last_citizen,
            entries=entries)

    def context(self, conversation_id: int, turns: int) -> ConversationContext:
        """The last ``turns`` citizen turns (masked) and the topic, for the suggestions."""
        with self.sessions() as session:
            row = self._conversation(session, conversation_id)
            recent = list(session.scalars(select(TurnRow).where(
                TurnRow.conversation_id == row.id).order_by(TurnRow.id.desc()).limit(turns)))
            topic = dict(row.topic or {})
        return ConversationContext(
            turns=[ContextTurn(text=t.text, procedure=t.procedure, decision=t.decision,
                               confidence=t.confidence) for t in reversed(recent)],
            topic=topic)

    def claim(self, conversation_id: int, username: str) -> None:
        """Take a waiting conversation; refused (409) if someone else was faster."""
        self._move(conversation_id, ConversationRow.owner == OWNER_WAITING,
                   staff_owner(username), "conversation_not_waiting")

    def release(self, conversation_id: int, username: str, any_staff: bool = False,
                notice: str = "") -> tuple[StaffMessageOut, ReplyTarget] | None:
        """Hand a conversation back to the bot (admins may release anyone's).

        ``notice`` (from ``messages.yml``) is recorded for the citizen as the desk's
        own message (author ``@release``, never a staff username), so the widget
        shows it as the assistant speaking again rather than as an officer. The
        stored topic forgets the pending handoff so degraded mode answers normally.
        """
        condition = (ConversationRow.owner.startswith(STAFF_PREFIX) if any_staff
                     else ConversationRow.owner == staff_owner(username))
        self._move(conversation_id, condition, OWNER_BOT, "conversation_not_yours")
        with self.sessions.begin() as session:
            row = self._conversation(session, conversation_id)
            if (row.topic or {}).get("handed_off"):
                row.topic = {**row.topic, "handed_off": False}
            if not notice.strip():
                return None
            message = StaffMessageRow(conversation_id=row.id, author=RELEASE_AUTHOR,
                                      text=notice.strip(), delivery=DELIVERY_WEB)
            session.add(message)
            session.flush()
            return (StaffMessageOut(id=message.id, at=as_utc(message.at), text=message.text,
                                    delivery=message.delivery),
                    ReplyTarget(row.id, row.channel, row.user_id))

    def _move(self, conversation_id: int, condition, owner: str, refusal: str) -> None:
        with self.sessions.begin() as session:
            self._conversation(session, conversation_id)
            result = session.execute(update(ConversationRow).where(
                ConversationRow.id == conversation_id, condition)
                .values(owner=owner, updated_at=utcnow()))
            if result.rowcount != 1:
                raise StaffError(409, refusal)

    def add_reply(self, conversation_id: int, username: str, text: str,
                  delivery: str) -> tuple[StaffMessageOut, ReplyTarget]:
        """Record a staff reply; only the staff member who owns the conversation may reply."""
        text = (text or "").strip()
        if not text:
            raise StaffError(422, "reply_empty")
        if len(text) > MAX_REPLY_CHARS:
            raise StaffError(422, "reply_too_long", max=MAX_REPLY_CHARS)
        with self.sessions.begin() as session:
            row = self._conversation(session, conversation_id)
            if row.owner != staff_owner(username):
                raise StaffError(409, "conversation_not_yours")
            message = StaffMessageRow(conversation_id=row.id, author=username, text=text,
                                      delivery=delivery)
            session.add(message)
            row.updated_at = utcnow()
            session.flush()
            out = StaffMessageOut(id=message.id, at=as_utc(message.at), text=text,
                                  delivery=delivery)
            return out, ReplyTarget(row.id, row.channel, row.user_id)

    def set_delivery(self, message_id: int, delivery: str) -> None:
        """Record whether an outside channel accepted a staff message."""
        with self.sessions.begin() as session:
            session.execute(update(StaffMessageRow).where(StaffMessageRow.id == message_id)
                            .values(delivery=delivery))

    # --- the citizen's side ---------------------------------------------------
    def updates(self, channel: str, user_id: str, after: int | None) -> UpdatesOut:
        """Staff messages after ``after`` for the widget, with the conversation's state."""
        cursor = max(after or 0, 0)
        with self.sessions() as session:
            row = session.scalar(select(ConversationRow).where(
                ConversationRow.channel == channel,
                or_(ConversationRow.user_id == user_id, ConversationRow.sender_id == user_id)))
            if row is None:
                return UpdatesOut(messages=[], cursor=cursor, staff=False, handoff=False,
                                  owner=OWNER_BOT)
            messages = list(session.scalars(select(StaffMessageRow).where(
                StaffMessageRow.conversation_id == row.id, StaffMessageRow.id > cursor)
                .order_by(StaffMessageRow.id).limit(UPDATES_BATCH)))
        owner = public_owner(row.owner)
        return UpdatesOut(
            messages=[{"text": m.text, "buttons": [], "staff": m.author != RELEASE_AUTHOR}
                      for m in messages],
            cursor=messages[-1].id if messages else cursor,
            staff=owner == "staff", handoff=owner == OWNER_WAITING, owner=owner)

    @staticmethod
    def _conversation(session: Session, conversation_id: int) -> ConversationRow:
        row = session.get(ConversationRow, conversation_id)
        if row is None:
            raise StaffError(404, "not_found")
        return row


def _turn_entries(turn: TurnRow, original: str | None = None) -> list[TranscriptEntry]:
    """Split a stored turn into transcript lines: the citizen's message, then each bot reply."""
    at = as_utc(turn.at)
    entries = [TranscriptEntry(at=at, speaker="citizen", text=original or turn.text,
                               personal_data=original is not None, decision=turn.decision,
                               procedure=turn.procedure, confidence=turn.confidence)]
    for reply in turn.replies or []:
        text = reply.get("text", "") if isinstance(reply, dict) else str(reply)
        buttons = [b.get("title", "") for b in reply.get("buttons", []) or []
                   if isinstance(b, dict)] if isinstance(reply, dict) else []
        if text or buttons:
            entries.append(TranscriptEntry(at=at, speaker="bot", text=text, buttons=buttons))
    return entries
