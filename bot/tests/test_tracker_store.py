"""Tests of the cached SQL tracker store, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_tracker_store.py``
(``tests/bot/test_rasa_project.py`` does this in ``make test``).
Two store objects on one database stand for two Rasa processes; the stock
``SQLTrackerStore`` is the reference for what must be read back.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from components.tracker_store import CachedSQLTrackerStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

DOMAIN = Domain.load(str(Path(__file__).resolve().parent.parent / "domain"))


def _url() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='tracker-test-')}/tracker.db"


def _store(url: str) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, host=url)


def _turn(tracker, text: str, code: str) -> None:
    tracker.update(UserUttered(text, intent={"name": "ask_documents", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_answer_procedure"))
    tracker.update(SlotSet("procedure_code", code))
    tracker.update(ActionExecuted("action_listen"))


def _reference(url: str, sender: str):
    """What the stock Rasa store reads from the same database."""
    return asyncio.run(SQLTrackerStore(domain=DOMAIN, host=url).retrieve(sender))


def _dumps(tracker) -> list:
    return [event.as_dict() for event in tracker.events]


def _new_conversation(store: CachedSQLTrackerStore, sender: str):
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def _two_processes(sender: str):
    """Two stores on one database (two Rasa processes); the first saved a conversation."""
    url = _url()
    first, second = _store(url), _store(url)
    tracker = _new_conversation(first, sender)
    _turn(tracker, "khai sinh", "1.001193")
    asyncio.run(first.save(tracker))
    return url, first, second, tracker


def test_saved_events_read_back_like_the_stock_store() -> None:
    url = _url()
    store = _store(url)
    tracker = _new_conversation(store, "web:a")
    for n in range(3):
        _turn(tracker, f"câu hỏi {n}", f"1.00{n}")
        asyncio.run(store.save(tracker))
        tracker = asyncio.run(store.retrieve("web:a"))
    assert tracker.get_slot("procedure_code") == "1.002"
    assert _dumps(tracker) == _dumps(_reference(url, "web:a"))


def test_cached_tracker_is_reused_while_nobody_else_writes() -> None:
    store = _store(_url())
    tracker = _new_conversation(store, "web:b")
    _turn(tracker, "khai sinh", "1.001193")
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("web:b")) is tracker


def test_writes_of_another_process_are_seen() -> None:
    url, first, second, tracker = _two_processes("web:c")
    other = asyncio.run(second.retrieve("web:c"))
    assert other.get_slot("procedure_code") == "1.001193"
    _turn(other, "kết hôn", "1.000894")
    asyncio.run(second.save(other))
    again = asyncio.run(first.retrieve("web:c"))
    assert again is not tracker
    assert again.get_slot("procedure_code") == "1.000894"
    assert _dumps(again) == _dumps(_reference(url, "web:c"))


def test_a_write_in_between_by_another_process_is_not_hidden_by_ours() -> None:
    url, first, second, _ = _two_processes("web:h")
    mine = asyncio.run(first.retrieve("web:h"))
    other = asyncio.run(second.retrieve("web:h"))  # both handle a message at once
    _turn(other, "kết hôn", "1.000894")
    asyncio.run(second.save(other))
    _turn(mine, "khai tử", "1.000656")
    asyncio.run(first.save(mine))  # our insert is now the newest row
    again = asyncio.run(first.retrieve("web:h"))
    assert _dumps(again) == _dumps(_reference(url, "web:h"))
    assert len(again.events) == len(mine.events) + 4


def test_two_processes_saving_at_the_same_instant_do_not_hide_each_others_events() -> None:
    url, first, second, _ = _two_processes("web:r")
    mine = asyncio.run(first.retrieve("web:r"))
    other = asyncio.run(second.retrieve("web:r"))
    with second.engine.connect() as connection:
        stale = second._last_event_id(connection, "web:r")
    _turn(mine, "khai tử", "1.000656")
    asyncio.run(first.save(mine))
    # the second read the newest id before the first inserted (a race): its check passes
    second._last_event_id = lambda connection, sender_id: stale
    _turn(other, "kết hôn", "1.000894")
    asyncio.run(second.save(other))
    del second._last_event_id
    again = asyncio.run(second.retrieve("web:r"))
    assert _dumps(again) == _dumps(_reference(url, "web:r"))
    assert len(again.events) == len(other.events) + 4  # the first's turn is there too


def test_events_never_saved_are_dropped_on_the_next_read() -> None:
    url = _url()
    store = _store(url)
    tracker = _new_conversation(store, "web:d")
    _turn(tracker, "khai sinh", "1.001193")
    asyncio.run(store.save(tracker))
    _turn(tracker, "message that failed half-way", "9.999999")
    again = asyncio.run(store.retrieve("web:d"))
    assert again.get_slot("procedure_code") == "1.001193"
    assert _dumps(again) == _dumps(_reference(url, "web:d"))


def test_a_new_session_reads_only_that_session() -> None:
    url = _url()
    store = _store(url)
    tracker = _new_conversation(store, "web:e")
    _turn(tracker, "khai sinh", "1.001193")
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("web:e"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("web:e"))
    assert _dumps(again) == _dumps(_reference(url, "web:e"))
    assert sum(isinstance(event, SessionStarted) for event in again.events) == 1


def test_a_new_conversation_stays_in_memory_as_the_stock_store_reads_it() -> None:
    url = _url()
    store = _store(url)
    tracker = _new_conversation(store, "web:g")  # saved with its session start
    assert tracker is asyncio.run(store.retrieve("web:g"))  # served from memory
    assert _dumps(tracker) == _dumps(_reference(url, "web:g"))  # no event before the start
    _turn(tracker, "khai sinh", "1.001193")
    asyncio.run(store.save(tracker))
    assert _dumps(asyncio.run(store.retrieve("web:g"))) == _dumps(_reference(url, "web:g"))


def test_a_restarted_process_reads_the_conversation_from_sql() -> None:
    url = _url()
    first = _store(url)
    tracker = _new_conversation(first, "web:f")
    _turn(tracker, "khai sinh", "1.001193")
    asyncio.run(first.save(tracker))
    restarted = _store(url)  # a new process: empty cache
    again = asyncio.run(restarted.retrieve("web:f"))
    assert again.get_slot("procedure_code") == "1.001193"
    assert _dumps(again) == _dumps(tracker)

