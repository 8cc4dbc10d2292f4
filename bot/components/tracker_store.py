"""Rasa's SQL tracker store, with the trackers of live conversations kept in memory.

Why: profiling ``make bench`` showed Rasa spending about half of its CPU in the
stock ``SQLTrackerStore``. For every message it reads all events of the
conversation again, parses their JSON, replays them into a new tracker, and then
counts the stored events once more before it saves the new ones.

A conversation is handled by one Rasa process at a time: the lock store
serialises each conversation's messages. So the process that last saved a
tracker can keep that object and reuse it. One indexed query checks that no
other process (another Rasa replica on the same database) has written since then.
If the check fails, or the tracker holds events it never saved (a message that
failed half-way), the tracker is read from the database exactly as the stock
store does. Every event is still written to SQL before Rasa answers, so
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
from typing import Any, Optional, Text

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
    last_id: Optional[int]

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

    def __init__(self, domain: Any = None, host: Optional[Text] = None,
                 cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        """Connect like ``SQLTrackerStore``; ``host`` may be a full SQLAlchemy URL."""
        super().__init__(domain=domain, host=host, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self._reopen_sqlite()
        self._cache: "OrderedDict[str, _Entry]" = OrderedDict()
        self._cache_size = max(0, int(cache_size))

    def _reopen_sqlite(self) -> None:
        """One pooled connection per thread, in WAL mode, waiting out short locks."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=sa.pool.SingletonThreadPool)
        sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    # --- reading ----------------------------------------------------------------
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation's tracker: the cached one while still current, else from SQL."""
        last_id = self._last_event_id(sender_id)
        entry = self._cache.get(sender_id)
        if entry is not None and not entry.unsaved() and entry.last_id == last_id:
            self._cache.move_to_end(sender_id)
            return entry.tracker
        self._cache.pop(sender_id, None)
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, last_id)
        return tracker

    def _last_event_id(self, sender_id: Text) -> Optional[int]:
        with self.session_scope() as session:
            return session.execute(
                sa.select(sa.func.max(self.SQLEvent.id))
                .where(self.SQLEvent.sender_id == sender_id)).scalar()

    # --- writing ----------------------------------------------------------------
    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events added since the last save (counted by the stock store if unknown)."""
        entry = self._cache.get(tracker.sender_id)
        if entry is None or entry.tracker is not tracker:
            await super().save(tracker)
            self._cache.pop(tracker.sender_id, None)
            if not _starts_session(tracker.events):
                self._remember(tracker, self._last_event_id(tracker.sender_id))
            return
        await self.stream_events(tracker)
        new_events = list(itertools.islice(tracker.events, entry.stored, None))
        # Another process wrote since our read (two servers handled this conversation
        # at once, e.g. after a timeout moved it): our copy misses its events.
        others_wrote = self._last_event_id(tracker.sender_id) != entry.last_id
        last_id = self._insert(tracker.sender_id, new_events) if new_events else entry.last_id
        if others_wrote or _starts_session(new_events):
            # the next read comes from SQL (for a new session: only that session's events)
            self._cache.pop(tracker.sender_id, None)
            return
        entry.stored, entry.last_id = len(tracker.events), last_id

    def _insert(self, sender_id: Text, events: list) -> Optional[int]:
        """Insert ``events`` in one transaction, the way the stock store does; the last id."""
        rows = []
        for event in events:
            data = event.as_dict()
            rows.append(self.SQLEvent(
                sender_id=sender_id, type_name=event.type_name,
                timestamp=data.get("timestamp"),
                intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                action_name=data.get("name"), data=json.dumps(data)))
        with self.session_scope() as session:
            session.add_all(rows)
            session.flush()
            last_id = rows[-1].id
            session.commit()
        return last_id

    def _remember(self, tracker: DialogueStateTracker, last_id: Optional[int]) -> None:
        if not self._cache_size:
            return
        self._cache[tracker.sender_id] = _Entry(tracker, len(tracker.events), last_id)
        self._cache.move_to_end(tracker.sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
