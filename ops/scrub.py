"""``tthc pii scrub``: re-mask what was stored before masking knew a way of typing a number.

Stored texts are masked once, when they arrive; when :mod:`api.masking` learns a
new format, old rows keep what the former rules missed. This pass re-masks
them where they live: the turn log (``conversation_turns.text``), handled Zalo
events (``zalo_inbound.event``) and Rasa's tracker store (``events.data``,
every string of user events: text, parse data, entities). It is idempotent (a
second run changes nothing) and reports counts. On SQLite it then checkpoints
the WAL and vacuums the file, so replaced values do not linger in free pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, inspect, select, text, update
from sqlalchemy.engine import Engine, make_url

from api.masking import mask_pii, mask_value
from knowledge_base.db import create_db_engine

BATCH = 500


@dataclass
class ScrubCount:
    """Rows looked at and rows changed in one table."""

    table: str
    scanned: int = 0
    changed: int = 0


def _table(engine: Engine, name: str) -> Table | None:
    if not inspect(engine).has_table(name):
        return None
    return Table(name, MetaData(), autoload_with=engine)


def _rewrite(engine: Engine, table: Table, column: str, change: Any,
             where: Any = None) -> ScrubCount:
    """Apply ``change`` (old value -> new value) to ``column`` of every row; count changes."""
    count = ScrubCount(f"{table.name}.{column}")
    query = select(table.c.id, table.c[column]).order_by(table.c.id)
    if where is not None:
        query = query.where(where)
    last = None
    while True:
        page = query if last is None else query.where(table.c.id > last)
        with engine.begin() as connection:
            rows = connection.execute(page.limit(BATCH)).all()
            for row_id, value in rows:
                count.scanned += 1
                new = change(value)
                if new != value:
                    count.changed += 1
                    connection.execute(update(table).where(table.c.id == row_id)
                                       .values({column: new}))
        if len(rows) < BATCH:
            return count
        last = rows[-1][0]


def _mask_text(value: Any) -> Any:
    return mask_pii(value) if isinstance(value, str) else value


def _mask_event_text(value: Any) -> Any:
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return value
    return {**value, "text": mask_pii(value["text"])}


def _mask_json_text(value: Any) -> Any:
    """Rasa stores each event as a JSON string; mask every string inside it."""
    if not isinstance(value, str):
        return value
    try:
        data = json.loads(value)
    except ValueError:
        return mask_pii(value)
    masked = mask_value(data)
    return value if masked == data else json.dumps(masked, ensure_ascii=False)


def scrub_app_database(engine: Engine) -> list[ScrubCount]:
    """Re-mask the turn log and the handled Zalo events."""
    counts = []
    turns = _table(engine, "conversation_turns")
    if turns is not None:
        counts.append(_rewrite(engine, turns, "text", _mask_text))
    inbound = _table(engine, "zalo_inbound")
    if inbound is not None:  # pending events still need their text to be answered
        counts.append(_rewrite(engine, inbound, "event", _mask_event_text,
                               inbound.c.status == "done"))
    return counts


def scrub_tracker_store(engine: Engine) -> list[ScrubCount]:
    """Re-mask every string of Rasa's stored user events."""
    events = _table(engine, "events")
    if events is None:
        return []
    return [_rewrite(engine, events, "data", _mask_json_text, events.c.type_name == "user")]


def compact_sqlite(engine: Engine) -> None:
    """Fold the WAL into the file and drop free pages (they may still hold old values)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        connection.execute(text("VACUUM"))
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def tracker_engine(url: str) -> Engine | None:
    """Open Rasa's tracker store from the app's venv (psycopg 3 instead of psycopg2).

    None for a SQLite file that does not exist yet (nothing to scrub; not created here).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.database and not Path(parsed.database).exists():
        return None
    return create_engine(parsed.render_as_string(hide_password=False))


def scrub_all(database_url: str, tracker_url: str, compact: bool = True) -> list[ScrubCount]:
    """Scrub the app database and Rasa's tracker store (one database or two)."""
    counts: list[ScrubCount] = []
    app_engine = create_db_engine(database_url)
    same = make_url(tracker_url) == make_url(database_url)
    rasa_engine = app_engine if same else tracker_engine(tracker_url)
    engines = [app_engine] + ([rasa_engine] if rasa_engine not in (None, app_engine) else [])
    try:
        counts += scrub_app_database(app_engine)
        if rasa_engine is not None:
            counts += scrub_tracker_store(rasa_engine)
        for engine in engines if compact else []:
            compact_sqlite(engine)
    finally:
        for engine in engines:
            engine.dispose()
    return counts
