"""The real stack for end-to-end tests: Rasa (trained model) + the app on free ports.

Both processes are started exactly as ``make run`` starts them (``ops.processes``),
on a private copy of the session's knowledge-base database and a private Rasa
tracker store, so tests never touch ``var/``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.config import AppSettings
from ops.processes import (
    RASA_BIN,
    Child,
    app_ready,
    free_port,
    model_path,
    rasa_ready,
    stack_env,
    start_app,
    start_rasa,
    wait_for,
)
from tests.conftest import copy_database, kb_env

STARTUP_TIMEOUT_S = 300


def ensure_model(settings: AppSettings) -> Path:
    """The trained model (``make test`` trains it first; train here if run alone)."""
    model = model_path(settings)
    if not model.exists():
        subprocess.run([str(RASA_BIN), "train", "--domain", "domain", "--fixed-model-name",
                        "tthc", "--out", "models"], cwd=settings.bot_path, check=True,
                       capture_output=True, timeout=1200)
    return model


@dataclass
class Reply:
    """What ``POST /api/chat`` answered."""

    status: int
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])

    @property
    def text(self) -> str:
        return "\n".join(m["text"] for m in self.messages)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons", [])]


@dataclass
class LiveStack:
    """Running Rasa + app; ``chat`` talks to the app like the web widget."""

    settings: AppSettings
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    model: Path | None = None
    children: list[Child] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    @property
    def database(self) -> Path:
        return self.workdir / "kb.db"

    def chat(self, sender: str, text: str) -> Reply:
        response = httpx.post(f"{self.base_url}/api/chat", json={"sender_id": sender,
                                                                 "text": text}, timeout=60)
        return Reply(response.status_code, response.json())

    def stop_rasa(self) -> None:
        for child in self.children:
            if child.name == "rasa":
                child.stop()

    def kill_rasa(self) -> None:
        """SIGKILL Rasa's process group, like a crash: nothing gets flushed on the way out."""
        rasa = next(c for c in self.children if c.name == "rasa")
        if rasa.alive():
            os.killpg(rasa.process.pid, signal.SIGKILL)
            rasa.process.wait(timeout=30)

    def restart_rasa(self) -> None:
        """Start Rasa again on the same port, model and tracker store; wait until it answers."""
        index = next(i for i, c in enumerate(self.children) if c.name == "rasa")
        self.children[index].stop()
        rasa = start_rasa(self.settings, self.env, self.workdir / "rasa-restarted.log", self.model)
        self.children[index] = rasa
        try:
            ok = wait_for(lambda: rasa_ready(self.settings.rasa_url), rasa, STARTUP_TIMEOUT_S)
        except RuntimeError as error:
            pytest.fail(str(error))
        assert ok, f"rasa not ready after {STARTUP_TIMEOUT_S}s:\n{rasa.tail()}"

    def stop(self) -> None:
        for child in self.children:
            child.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {c.name}\n{c.tail()}" for c in self.children)


def start_stack(kb_workdir: Path, workdir: Path) -> LiveStack:
    """Copy the session database, start Rasa and the app, wait until both are ready."""
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    env = kb_env(kb_workdir)
    env["TTHC_DATABASE_URL"] = f"sqlite:///{workdir / 'kb.db'}"
    settings = AppSettings(
        database_url=env["TTHC_DATABASE_URL"], index_dir=Path(env["TTHC_INDEX_DIR"]),
        catalog_dir=Path(env["TTHC_CATALOG_DIR"]), host="127.0.0.1", port=free_port(),
        rasa_url=f"http://127.0.0.1:{free_port()}", rasa_tracker_db=workdir / "tracker.db")
    model = ensure_model(settings)
    env = stack_env(settings, env)
    stack = LiveStack(settings, workdir, env, model)
    stack.children.append(start_rasa(settings, env, workdir / "rasa.log", model))
    stack.children.append(start_app(settings, env, workdir / "app.log"))
    try:
        ok = wait_for(lambda: app_ready(stack.base_url), stack.children[1], STARTUP_TIMEOUT_S)
        ok = ok and wait_for(lambda: rasa_ready(settings.rasa_url), stack.children[0],
                             STARTUP_TIMEOUT_S)
    except RuntimeError as error:
        stack.stop()
        pytest.fail(str(error))
    if not ok:
        logs = stack.logs()
        stack.stop()
        pytest.fail(f"stack not ready after {STARTUP_TIMEOUT_S}s:\n{logs}")
    return stack


def stored_turns(database: Path, sender: str) -> list[dict[str, Any]]:
    """The turns the app stored for ``sender`` (``channel:user``), oldest first."""
    import sqlite3

    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT t.* FROM conversation_turns t JOIN conversations c ON c.id = t.conversation_id"
            " WHERE c.sender_id = ? ORDER BY t.id", (sender,)).fetchall()
    return [{**dict(r), "replies": json.loads(r["replies"] or "[]")} for r in rows]


def conversation_row(database: Path, sender: str) -> dict[str, Any] | None:
    import sqlite3

    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM conversations WHERE sender_id = ?", (sender,)).fetchone()
    return dict(row) if row else None


def ratings(database: Path, sender: str) -> list[int]:
    import sqlite3

    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT r.score FROM conversation_ratings r JOIN conversations c"
            " ON c.id = r.conversation_id WHERE c.sender_id = ? ORDER BY r.id", (sender,))
        return [r[0] for r in rows]


