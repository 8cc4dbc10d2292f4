"""The hostile probe's HTTP cases against the real app (uvicorn on 127.0.0.1, real HTTP).

Each test names the finding it closes: deeply nested JSON, a NUL in a path, typed
payloads with absurd values, login throttling per account across addresses and
no lock-out of a shared address, X-Forwarded-For only from trusted proxies,
per-address chat limits, server-issued sender ids, headers (HSTS, no-store),
the /docs switch, the action endpoint's token and private database files.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.auth.models import ensure_tables
from api.auth.users import UserService
from api.config import AppSettings
from api.db_models import TurnRow
from knowledge_base.db import create_db_engine, session_factory
from ops.processes import app_up, free_port, start_app, wait_for
from tests.api.live_app import LiveApp, live_app
from tests.conftest import copy_database, kb_env

PASSWORD = "a long staff password 42"
NESTED = b"[" * 200_000 + b"]" * 200_000


@pytest.fixture()
def database(kb_workdir: Path, tmp_path: Path) -> str:
    copy_database(kb_workdir / "kb.db", tmp_path / "kb.db")
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture()
def app(database: str, kb_workdir: Path, tmp_path: Path) -> Iterator[LiveApp]:
    with live_app(database, kb_workdir, tmp_path / "app.log", trusted_proxies="127.0.0.1",
                  action_token="action-secret-for-tests") as server:
        yield server


def add_user(database: str, name: str) -> None:
    engine = create_db_engine(database)
    ensure_tables(engine)
    UserService(session_factory(engine)).add(name, "support", PASSWORD)
    engine.dispose()


def login(client: httpx.Client, url: str, name: str, password: str,
          address: str | None = None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(f"{url}/api/auth/login", json={"username": name, "password": password},
                       headers=headers).status_code


def test_deeply_nested_json_is_a_4xx(app: LiveApp) -> None:
    with httpx.Client(timeout=60) as client:
        for path in ("/api/auth/login", "/api/auth/session", "/webhook", "/api/chat"):
            headers = {"Content-Type": "application/json"}
            if path == "/webhook":
                headers["X-Action-Token"] = "action-secret-for-tests"
            response = client.post(f"{app.url}{path}", content=NESTED, headers=headers)
            assert 400 <= response.status_code < 500, (path, response.status_code)
            assert "Traceback" not in response.text
        assert client.get(f"{app.url}/health").status_code == 200


def test_a_nul_in_the_path_is_a_404(app: LiveApp) -> None:
    with httpx.Client(timeout=30) as client:
        for path in ("/static/%00", "/static/a%00.js", "/widget.js%00", "/%00"):
            assert client.get(f"{app.url}{path}").status_code == 404, path
        assert client.get(f"{app.url}/widget.js").status_code == 200


@pytest.mark.parametrize("payload", [
    '/choose_procedure{"faq_id":"' + "9" * 40 + '"}',
    '/choose_procedure{"faq_id":"abc"}',
    '/choose_procedure{"faq_id":[1,2]}',
    '/choose_case{"case_index":"' + "9" * 25 + '"}',
    '/choose_procedure{"procedure_code":"' + "x" * 500 + '"}',
    '/rate{"rating":"²"}',
    '/choose_procedure{"faq_id":' + "[" * 900 + "]" * 900 + "}",
])
def test_typed_payloads_never_crash_the_dialogue(app: LiveApp, database: str,
                                                 payload: str) -> None:
    with httpx.Client(timeout=120) as client:
        reply = client.post(f"{app.url}/api/chat", json={"sender_id": "payload-1",
                                                         "text": payload})
    assert reply.status_code == 200 and reply.json()["messages"]
    engine = create_engine(database)
    with Session(engine) as session:
        turn = session.scalars(select(TurnRow).order_by(TurnRow.id.desc())).first()
    engine.dispose()
    assert turn is not None and not turn.error and turn.source != "error", turn.source


def test_one_account_is_throttled_across_addresses(app: LiveApp, database: str) -> None:
    add_user(database, "lan.support")
    with httpx.Client(timeout=60) as client:
        codes = [login(client, app.url, "lan.support", "wrong password",
                       f"203.0.113.{i + 1}") for i in range(40)]
    assert codes[:5] == [401] * 5
    assert codes.count(429) >= 30, codes  # back-off: not 40 guesses from 40 addresses


def test_random_usernames_from_a_shared_address_lock_no_real_user_out(
        app: LiveApp, database: str) -> None:
    add_user(database, "hoa.support")
    office = "198.51.100.20"
    with httpx.Client(timeout=60) as client:
        codes = [login(client, app.url, f"nobody{i}", "guess", office) for i in range(35)]
        assert codes[:30] == [401] * 30 and set(codes[30:]) == {429}
        assert login(client, app.url, "hoa.support", PASSWORD, office) == 200
        # unknown and real names get the same 429 once over: nothing tells which exist
        assert login(client, app.url, "hoa.support", "wrong password", office) == 429


def test_forwarded_for_is_ignored_without_trusted_proxies(database: str, kb_workdir: Path,
                                                          tmp_path: Path) -> None:
    """The app started exactly as ``make run`` starts it (uvicorn --no-proxy-headers)."""
    env = {**kb_env(kb_workdir), "TTHC_DATABASE_URL": database, "TTHC_PORT": str(free_port()),
           "TTHC_RASA_URL": f"http://127.0.0.1:{free_port()}"}
    settings = AppSettings(_env_file=None, database_url=database, port=int(env["TTHC_PORT"]))
    app = start_app(settings, env, tmp_path / "app.log")
    try:
        assert wait_for(lambda: app_up(settings.base_url), app, 120)
        with httpx.Client(timeout=60) as client:
            codes = [login(client, settings.base_url, f"nobody{i}", "guess", f"192.0.2.{i + 1}")
                     for i in range(32)]
    finally:
        app.stop()
    # every failure counted for the real peer (127.0.0.1), whatever X-Forwarded-For said
    assert codes[:30] == [401] * 30 and codes[30:] == [429, 429], codes
    assert stat.S_IMODE((tmp_path / "app.log").stat().st_mode) == 0o600


def test_chat_is_limited_per_address_as_well_as_per_sender(
        database: str, kb_workdir: Path, tmp_path: Path) -> None:
    with live_app(database, kb_workdir, tmp_path / "app.log", chat_address_burst=8,
                  chat_address_per_minute=6, updates_address_per_minute=6) as server, \
            httpx.Client(timeout=120) as client:
        codes = [client.post(f"{server.url}/api/chat", json={"sender_id": f"fresh-{i}",
                                                              "text": "xin chào"}).status_code
                 for i in range(12)]
        polls = [client.get(f"{server.url}/api/chat/updates",
                            params={"sender_id": "poller"}).status_code for i in range(30)]
    assert codes[:8] == [200] * 8 and set(codes[8:]) == {429}, codes
    assert polls.count(200) == 10 and polls[10:] == [429] * 20, polls  # per-sender burst 10


def _chat(client: httpx.Client, url: str, sender: str, text: str) -> dict:
    reply = client.post(f"{url}/api/chat", json={"sender_id": sender, "text": text})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_sender_ids_are_issued_by_the_server(database: str, kb_workdir: Path,
                                             tmp_path: Path) -> None:
    with live_app(database, kb_workdir, tmp_path / "app.log",
                  chat_unsigned_senders=False) as server, httpx.Client(timeout=120) as client:
        issued = _chat(client, server.url, "w-browser-made-1", "xin chào")["sender_id"]
        assert issued.startswith("s1.") and issued != "w-browser-made-1"
        assert _chat(client, server.url, issued, "đăng ký khai sinh")["sender_id"] == issued
        forged = issued[:-4] + ("AAAA" if not issued.endswith("AAAA") else "BBBB")
        for attempt in (forged, "w-browser-made-1", issued.rsplit(".", 1)[0]):
            other = _chat(client, server.url, attempt, "tôi muốn gặp cán bộ")["sender_id"]
            assert other not in (issued, attempt)
            updates = client.get(f"{server.url}/api/chat/updates",
                                 params={"sender_id": attempt}).json()
            assert updates["owner"] == "bot" and updates["messages"] == []
    engine = create_engine(database)
    with Session(engine) as session:
        from api.db_models import ConversationRow
        mine = session.scalar(select(ConversationRow).where(
            ConversationRow.sender_id == f"web:{issued}"))
        turns = session.scalars(select(TurnRow.text).where(
            TurnRow.conversation_id == mine.id)).all()
    engine.dispose()
    assert turns == ["xin chào", "đăng ký khai sinh"]  # nobody else's message joined


def test_headers_hsts_no_store_and_docs_switch(app: LiveApp, database: str,
                                               kb_workdir: Path, tmp_path: Path) -> None:
    with httpx.Client(timeout=30) as client:
        plain = client.get(f"{app.url}/health")
        assert "strict-transport-security" not in plain.headers
        https = client.get(f"{app.url}/health", headers={"X-Forwarded-Proto": "https"})
        assert https.headers["strict-transport-security"].startswith("max-age=31536000")
        for path in ("/api/support/inbox", "/api/auth/me", "/support", "/admin"):
            assert client.get(f"{app.url}{path}").headers.get("cache-control") == "no-store", path
        assert client.get(f"{app.url}/openapi.json").status_code == 200
        add_user(database, "secure.cookie")
        session = client.post(f"{app.url}/api/auth/session", headers={
            "X-Forwarded-Proto": "https"}, json={"username": "secure.cookie",
                                                 "password": PASSWORD})
        cookie = session.headers["set-cookie"].lower()
        assert session.status_code == 200 and session.headers["cache-control"] == "no-store"
        assert all(flag in cookie for flag in ("secure", "httponly", "samesite=strict"))
    with live_app(database, kb_workdir, tmp_path / "app2.log", api_docs=False) as server, \
            httpx.Client(timeout=30) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(f"{server.url}{path}").status_code == 404, path
        assert client.get(f"{server.url}/health").status_code == 200


def test_the_action_endpoint_needs_rasas_token(app: LiveApp) -> None:
    call = {"next_action": "action_answer_procedure", "sender_id": "web:x",
            "tracker": {"sender_id": "web:x", "slots": {}, "latest_message": {"text": "hi"},
                        "events": []}}
    with httpx.Client(timeout=60) as client:
        assert client.post(f"{app.url}/webhook", json=call).status_code == 401
        assert client.post(f"{app.url}/webhook", json=call,
                           headers={"X-Action-Token": "wrong"}).status_code == 401
        allowed = client.post(f"{app.url}/webhook", json=call,
                              headers={"X-Action-Token": "action-secret-for-tests"})
        assert allowed.status_code == 200 and allowed.json()["responses"]


def test_database_and_key_files_are_private(app: LiveApp, database: str) -> None:
    path = Path(database.removeprefix("sqlite:///"))
    for file in (path, path.with_name("pii.key")):
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
