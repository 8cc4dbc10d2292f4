"""Rasa's SQL tracker store, with the trackers of live conversations kept in memory.

Why: profiling ``make bench`` showed Rasa spending about half of its CPU in the
stock ``SQLTrackerStore``. For every message it reads all events of the
conversation again, parses their JSON, replays them into a new tracker, and then
counts the stored events once more before it saves the new ones.

A conversation is handled by one Rasa process at a time: the lock store
serialises each conversation's messages. So the process that last saved a
tracker can keep that object and reuse it. One indexed query per read checks that
no other process (another Rasa replica on the same database) has written since
then; each save also reads, inside its write transaction, the rows written after
the ones it had, so two processes saving one conversation at the same instant
(a lock that expired) notice each other.
If the check fails, or the tracker holds events it never saved (a message that
failed half-way), the tracker is read from the database exactly as the stock
store does. After a session start the store keeps the tracker as the stock store
would read it back (events from that start on), so a new conversation is never
read from SQL either. Reads and writes use SQLAlchemy Core statements compiled
once, not the ORM. Every event is still written to SQL before Rasa answers, so
conversations survive restarts, and several Rasa processes can share one
PostgreSQL database.

Configured in ``endpoints.yml`` with one SQLAlchemy URL (``url``), SQLite or
PostgreSQL. On SQLite the store uses WAL with ``synchronous=NORMAL``. That is
durable when a process crashes; only a power cut can lose the last commit.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 2000
SQLITE_BUSY_TIMEOUT_MS = 10000


@dataclass
class _Entry:
    """A cached tracker, how many of its events are stored, and the id of the last one."""

    tracker: DialogueStateTracker
    stored: int
    last_id: int | None

    def unsaved(self) -> bool:
        """Whether the tracker holds events that were never written (a failed message)."""
        return len(self.tracker.events) != self.stored


def _starts_session(events: Any) -> bool:
    return any(isinstance(event, SessionStarted) for event in events)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that reuses the trackers it saved while the database agrees."""

    def __init__(self, domain: Any = None, host: str | None = None,
                 cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        """Connect like ``SQLTrackerStore``; ``host`` may be a full SQLAlchemy URL."""
        super().__init__(domain=domain, host=host, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._reopen_sqlite()
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._cache_size = max(0, int(cache_size))
        # Core statements, compiled once: the ORM's per-call overhead was a fifth of
        # Rasa's CPU per message in profiles
        events = self.SQLEvent.__table__
        self._max_id = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id"))
        self._insert_row = events.insert()
        self._ids_after_stmt = sa.select(events.c.id).where(
            events.c.sender_id == sa.bindparam("sender_id"), events.c.id > sa.bindparam("after"))
        self._lock_sender = sa.text("SELECT pg_advisory_xact_lock(hashtext(:sender_id))")

    def _reopen_sqlite(self) -> None:
        """One pooled connection per thread, in WAL mode, waiting out short locks."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
        sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # --- reading ----------------------------------------------------------------
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's tracker: the cached one while still current, else from SQL."""
        with self.engine.connect() as connection:
            last_id = self._last_event_id(connection, sender_id)
        entry = self._cache.get(sender_id)
        if entry is not None and not entry.unsaved() and entry.last_id == last_id:
            self._cache.move_to_end(sender_id)
            return entry.tracker
        self._cache.pop(sender_id, None)
        if last_id is None:  # nothing stored: a new conversation
            return None
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, last_id)
        return tracker

    def _last_event_id(self, connection: Any, sender_id: str) -> int | None:
        return connection.execute(self._max_id, {"sender_id": sender_id}).scalar()

    def _current_session(self, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """The tracker as the stock store reads it back: events from the last session start on."""
        start = max(event.timestamp for event in tracker.events
                    if isinstance(event, SessionStarted))
        return DialogueStateTracker.from_events(
            tracker.sender_id, [event for event in tracker.events if event.timestamp >= start],
            self.domain.slots, max_event_history=self.max_event_history)

    # --- writing ----------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events added since the last save (counted by the stock store if unknown)."""
        await self.stream_events(tracker)
        entry = self._cache.get(tracker.sender_id)
        known = entry is not None and entry.tracker is tracker
        with self.engine.begin() as connection:
            self._serialise(connection, tracker.sender_id)
            current = self._last_event_id(connection, tracker.sender_id)
            if known or current is None:
                stored = entry.stored if known else 0
                new_events = list(itertools.islice(tracker.events, stored, None))
                self._insert(connection, tracker.sender_id, new_events)
                # Rows after the ones we had, beyond the ones we just inserted, are another
                # process's (two servers handled this conversation at once, e.g. after a
                # timeout moved it). Read after our inserts: SQLite holds its write lock by
                # then, PostgreSQL the conversation's lock, so a writer racing us is seen
                # by one side.
                after = self._ids_after(connection, tracker.sender_id,
                                        entry.last_id if known else None)
                others = len(after) - len(new_events)
                last_id = max(after) if after else current
        if not known and current is not None:
            # not ours and not new: count what is stored the way the stock store does
            self._cache.pop(tracker.sender_id, None)
            await super().save(tracker)
            return
        if others or (known and current != entry.last_id):  # our copy misses their events
            self._cache.pop(tracker.sender_id, None)
            return
        if _starts_session(new_events):
            tracker = self._current_session(tracker)  # what the stock store reads back
        self._remember(tracker, last_id)

    def _serialise(self, connection: Any, sender_id: str) -> None:
        """On PostgreSQL, one save of a conversation at a time (until the transaction ends)."""
        if self.engine.dialect.name == "postgresql":
            connection.execute(self._lock_sender, {"sender_id": sender_id})

    def _ids_after(self, connection: Any, sender_id: str, after: int | None) -> set:
        rows = connection.execute(self._ids_after_stmt,
                                  {"sender_id": sender_id, "after": -1 if after is None else after})
        return {row[0] for row in rows}

    def _insert(self, connection: Any, sender_id: str, events: list) -> None:
        """Insert ``events`` (rows like the stock store's), in order, in one statement.

        One ``executemany`` instead of one statement per event (a message adds a dozen:
        every bubble of an answer is an event).
        """
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append({"sender_id": sender_id, "type_name": event.type_name,
                         "timestamp": data.get("timestamp"),
                         "intent_name": data.get("parse_data", {}).get("intent", {}).get(
                             INTENT_NAME_KEY),
                         "action_name": data.get("name"), "data": json.dumps(data)})
        if rows:
            connection.execute(self._insert_row, rows)

    def _remember(self, tracker: DialogueStateTracker, last_id: int | None) -> None:
        if not self._cache_size:
            return
        self._cache[tracker.sender_id] = _Entry(tracker, len(tracker.events), last_id)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
