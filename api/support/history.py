"""Conversation history for staff: every conversation, masked, searchable and exportable.

Released conversations used to vanish from the console; here staff find any
conversation by text, procedure, channel, date and outcome, open it (turns as
stored, masked, and its ratings) and admins export a date range as CSV. Only
masked text is read: the originals kept by :mod:`api.pii` never leave the
opened live conversation.

Days are Vietnam days (UTC+7), like the analytics.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from pydantic import BaseModel, Field
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from api.admin.analytics import LOCAL_TZ
from api.auth.errors import StaffError
from api.auth.models import as_utc
from api.db_models import ConversationRow, RatingRow, TurnRow
from api.masking import mask_pii
from api.support.inbox import RELEASE_AUTHOR, InboxService
from api.support.models import StaffMessageRow
from api.support.schemas import ConversationDetail
from knowledge_base.errors import NotFoundError
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import fold

CODE_RE = re.compile(r"\d\.\d{6}")
OUTCOMES = ("answered", "clarified", "not_found", "handed_off", "other")
MAX_RESULTS = 200
SCAN_LIMIT = 2000  # conversations read per search before the outcome filter
MAX_EXPORT_DAYS = 366
PREVIEW_CHARS = 160
CSV_COLUMNS = ("conversation_id", "channel", "outcome", "rating", "at", "speaker", "author",
               "text", "procedure", "decision", "confidence")


@dataclass(frozen=True)
class HistoryQuery:
    """Search filters; empty ones do not filter."""

    text: str = ""
    procedure: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    outcome: str = ""
    limit: int = 50


class HistoryItem(BaseModel):
    """One conversation in the history list (masked)."""

    id: int
    channel: str
    owner: str
    started: datetime
    last_activity: datetime
    turns: int
    first_question: str
    procedures: list[str]
    procedure_names: list[str] = Field(default_factory=list)
    outcome: str
    rating: int | None = None


class HistoryDetail(BaseModel):
    """An opened past conversation: the masked transcript, its outcome and ratings."""

    conversation: ConversationDetail
    outcome: str
    ratings: list[int]


def day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC instants of the start of ``first`` and the end of ``last`` (Vietnam days).

    In UTC, not in Vietnam's zone: SQLite keeps the wall time of what it is given, and
    turns are stored in UTC, so local bounds were 7 hours off (a day's last turns fell
    out of its range, and those of the next evening in).
    """
    start = datetime.combine(first, time.min, LOCAL_TZ).astimezone(timezone.utc) \
        if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ).astimezone(
        timezone.utc) if last else None
    if start and end and start >= end:
        raise StaffError(422, "history_bad_range")
    return start, end


def outcome_of(decisions: Iterable[str | None], staff_replied: bool) -> str:
    """One word for how a conversation ended up: a handoff or staff reply wins, then answers."""
    seen = set(decisions)
    if staff_replied or "handoff" in seen:
        return "handed_off"
    if seen & {"answer", "faq"}:
        return "answered"
    if "clarify" in seen:
        return "clarified"
    if "not_found" in seen:
        return "not_found"
    return "other"


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a citizen could type "=HYPERLINK(…)")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class HistoryService:
    """Searches and exports the conversation log (masked text only)."""

    def __init__(self, sessions: sessionmaker, inbox: InboxService,
                 kb: KnowledgeBase | None = None) -> None:
        self.sessions = sessions
        self.inbox = inbox
        self.kb = kb

    def _procedure_codes(self, text: str) -> list[str]:
        """A procedure code as typed, or the codes whose name has every word (accents ignored)."""
        text = " ".join(text.split())
        if CODE_RE.fullmatch(text) or self.kb is None:
            return [text]
        words = fold(text).lower().split()
        return [p.code for p in self.kb.store.procedures(include_flagged=True)
                if all(word in fold(p.name).lower() for word in words)]

    def _names(self, codes: list[str]) -> list[str]:
        names = []
        for code in codes:
            try:
                names.append(self.kb.procedure(code).name if self.kb else "")
            except NotFoundError:
                names.append("")
        return names

    def search(self, query: HistoryQuery) -> list[HistoryItem]:
        """Conversations matching every filter, most recent activity first."""
        if query.outcome and query.outcome not in OUTCOMES:
            raise StaffError(422, "history_bad_outcome")
        start, end = day_bounds(query.date_from, query.date_to)
        statement = select(ConversationRow)
        if query.channel:
            statement = statement.where(ConversationRow.channel == query.channel)
        if start or end:
            in_range = exists().where(TurnRow.conversation_id == ConversationRow.id)
            in_range = in_range.where(TurnRow.at >= start) if start else in_range
            in_range = in_range.where(TurnRow.at < end) if end else in_range
            statement = statement.where(in_range)
        if query.procedure.strip():
            statement = statement.where(exists().where(
                TurnRow.conversation_id == ConversationRow.id,
                TurnRow.procedure.in_(self._procedure_codes(query.procedure))))
        text = " ".join(query.text.split())
        if text:
            pattern = f"%{text}%"
            statement = statement.where(or_(
                exists().where(TurnRow.conversation_id == ConversationRow.id,
                               TurnRow.text.ilike(pattern)),
                exists().where(StaffMessageRow.conversation_id == ConversationRow.id,
                               StaffMessageRow.text.ilike(pattern))))
        statement = statement.order_by(ConversationRow.updated_at.desc(),
                                       ConversationRow.id.desc()).limit(SCAN_LIMIT)
        limit = max(1, min(query.limit, MAX_RESULTS))
        found: list[HistoryItem] = []
        with self.sessions() as session:
            for row in session.scalars(statement):
                item = self._item(session, row)
                if query.outcome and item.outcome != query.outcome:
                    continue
                found.append(item)
                if len(found) == limit:
                    break
        return found

    def open(self, conversation_id: int) -> HistoryDetail:
        """The masked transcript of a past (or live) conversation with its ratings."""
        detail = self.inbox.detail(conversation_id)  # masked: no originals passed
        with self.sessions() as session:
            ratings = list(session.scalars(select(RatingRow.score).where(
                RatingRow.conversation_id == conversation_id).order_by(RatingRow.id)))
            outcome = self._outcome(session, conversation_id)
        return HistoryDetail(conversation=detail, outcome=outcome, ratings=ratings)

    def export_csv(self, first: date, last: date) -> str:
        """Every turn and staff message of the conversations active in [first, last], as CSV."""
        if (last - first).days + 1 > MAX_EXPORT_DAYS:
            raise StaffError(422, "history_range_too_long", days=MAX_EXPORT_DAYS)
        start, end = day_bounds(first, last)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        with self.sessions() as session:
            ids = list(session.scalars(select(TurnRow.conversation_id).where(
                TurnRow.at >= start, TurnRow.at < end).distinct()))
            for row in session.scalars(select(ConversationRow).where(
                    ConversationRow.id.in_(ids)).order_by(ConversationRow.id)):
                self._write_conversation(session, writer, row)
        return out.getvalue()

    # --- helpers ------------------------------------------------------------------
    def _outcome(self, session: Session, conversation_id: int) -> str:
        decisions = session.scalars(select(TurnRow.decision).where(
            TurnRow.conversation_id == conversation_id))
        replied = session.scalar(select(func.count()).select_from(StaffMessageRow).where(
            StaffMessageRow.conversation_id == conversation_id,
            StaffMessageRow.author != RELEASE_AUTHOR))
        return outcome_of(list(decisions), bool(replied))

    def _item(self, session: Session, row: ConversationRow) -> HistoryItem:
        turns = list(session.execute(select(TurnRow.text, TurnRow.procedure, TurnRow.at)
                                     .where(TurnRow.conversation_id == row.id)
                                     .order_by(TurnRow.id)))
        questions = [t.text for t in turns if not (t.text or "").startswith("/")]
        rating = session.scalar(select(RatingRow.score).where(
            RatingRow.conversation_id == row.id).order_by(RatingRow.id.desc()).limit(1))
        last = max([as_utc(t.at) for t in turns] or [as_utc(row.updated_at)])
        codes = list(dict.fromkeys(t.procedure for t in turns if t.procedure))
        return HistoryItem(
            id=row.id, channel=row.channel, owner=row.owner, started=as_utc(row.created_at),
            last_activity=last, turns=len(turns),
            first_question=mask_pii(questions[0])[:PREVIEW_CHARS] if questions else "",
            procedures=codes, procedure_names=self._names(codes),
            outcome=self._outcome(session, row.id), rating=rating)

    def _write_conversation(self, session: Session, writer, row: ConversationRow) -> None:
        outcome = self._outcome(session, row.id)
        rating = session.scalar(select(RatingRow.score).where(
            RatingRow.conversation_id == row.id).order_by(RatingRow.id.desc()).limit(1))
        lines: list[tuple] = []
        for turn in session.scalars(select(TurnRow).where(TurnRow.conversation_id == row.id)):
            lines.append((as_utc(turn.at), "citizen", "", _cell(mask_pii(turn.text)),
                          turn.procedure, turn.decision, turn.confidence))
        for message in session.scalars(select(StaffMessageRow).where(
                StaffMessageRow.conversation_id == row.id)):
            lines.append((as_utc(message.at), "staff", message.author,
                          _cell(mask_pii(message.text)), None, None, None))
        for at, speaker, author, text, procedure, decision, confidence in sorted(
                lines, key=lambda line: line[0]):
            writer.writerow((row.id, row.channel, outcome, rating if rating is not None else "",
                             at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"), speaker,
                             author, text, procedure or "", decision or "",
                             "" if confidence is None else f"{confidence:.3f}"))
