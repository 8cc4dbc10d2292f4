"""Two Rasa servers behind one app (``TTHC_RASA_PROCESSES=2``), as ``make run`` can start them.

Each conversation sticks to one server (so its tracker cache stays warm). When
that server dies, the next message goes to the other one, which reads the
conversation from the shared SQL tracker store: the citizen keeps their context
and never sees degraded mode.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from api.config import AppSettings
from api.rasa_client import RasaServer, preferred_order
from ops.processes import (
    Child,
    app_ready,
    rasa_ready,
    stack_env,
    start_app,
    start_rasa_servers,
    wait_for,
)
from tests.bot.stack import STARTUP_TIMEOUT_S, ensure_model, free_port, stored_turns
from tests.conftest import copy_database, kb_env

pytestmark = pytest.mark.slow
KHAI_SINH = "1.001193"


@pytest.fixture(scope="module")
def two_rasa(kb_workdir: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppSettings, Path,
                                                                        list[Child]]]:
    """The app and two Rasa servers on free ports, private database and tracker store."""
    workdir = tmp_path_factory.mktemp("two_rasa")
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    env = kb_env(kb_workdir)
    env["TTHC_DATABASE_URL"] = f"sqlite:///{workdir / 'kb.db'}"
    settings = AppSettings(
        database_url=env["TTHC_DATABASE_URL"], index_dir=Path(env["TTHC_INDEX_DIR"]),
        catalog_dir=Path(env["TTHC_CATALOG_DIR"]), port=free_port(),
        rasa_url=",".join(f"http://127.0.0.1:{free_port()}" for _ in range(2)),
        rasa_tracker_db=workdir / "tracker.db")
    env = stack_env(settings, env)
    children = start_rasa_servers(settings, env, workdir, ensure_model(settings))
    app = start_app(settings, env, workdir / "app.log")
    children.append(app)
    try:
        base = f"http://127.0.0.1:{settings.port}"
        ready = wait_for(partial(app_ready, base), app, STARTUP_TIMEOUT_S) and all(
            wait_for(partial(rasa_ready, url), child, STARTUP_TIMEOUT_S)
            for url, child in zip(settings.rasa_urls, children))
        assert ready, "\n".join(child.tail() for child in children)
        yield settings, workdir, children
    finally:
        for child in children:
            child.stop()


def chat(settings: AppSettings, sender: str, text: str) -> dict:
    response = httpx.post(f"http://127.0.0.1:{settings.port}/api/chat",
                          json={"sender_id": sender, "text": text}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_conversations_stick_to_one_server_and_move_when_it_dies(two_rasa) -> None:
    settings, workdir, children = two_rasa
    health = httpx.get(f"http://127.0.0.1:{settings.port}/health", timeout=10).json()
    assert health["rasa"] == "ok" and len(health["rasa_servers"]) == 2, health

    first = chat(settings, "replica-a", "đăng ký khai sinh cần giấy tờ gì")
    assert not first["degraded"] and f"/thu-tuc/{KHAI_SINH}" in str(first["messages"])
    # the server the app's routing prefers for this conversation dies like a crash
    servers = [RasaServer(url) for url in settings.rasa_urls]
    preferred = preferred_order(servers, "web:replica-a")[0].url
    victim = children[settings.rasa_urls.index(preferred)]
    os.killpg(victim.process.pid, signal.SIGKILL)
    victim.process.wait(timeout=30)

    follow_up = chat(settings, "replica-a", "lệ phí bao nhiêu")
    assert not follow_up["degraded"], follow_up
    turns = stored_turns(workdir / "kb.db", "web:replica-a")
    assert [turn["procedure"] for turn in turns] == [KHAI_SINH, KHAI_SINH], turns
    assert turns[-1]["source"] == "rasa"

    health = httpx.get(f"http://127.0.0.1:{settings.port}/health", timeout=10).json()
    assert health["rasa"] == "1/2 servers ok" and health["degraded"] is False, health
