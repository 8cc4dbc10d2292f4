"""The whole-city topology: two app replicas and two Rasa servers on PostgreSQL + Redis.

Replica i is an app and its own Rasa server (the app's ``TTHC_RASA_URL`` points at
it; its actions call that app back). Every process shares one PostgreSQL database
(app data, the Zalo queue's ledger and Rasa's SQL tracker store) and one Redis
(Rasa's lock store, the per-sender rate limits, the Zalo intake stream). The test
is the load balancer: a round-robin per message. It checks that one conversation
alternating replicas keeps its context in Rasa, that an FAQ saved through
replica A is answered by replica B within 5 s, that limits are counted across
replicas, that Zalo events posted to either replica (and redelivered to the other)
are answered exactly once, and that no message is stored or answered twice.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text

from api.channels.zalo.models import ZaloInboundRow, ZaloOutboxRow
from api.channels.zalo.queue_redis import GROUP, SEEN_PREFIX, STREAM
from api.config import AppSettings
from ops.processes import (
    Child,
    app_ready,
    rasa_ready,
    stack_env,
    start_app,
    start_rasa,
    wait_for,
)
from tests.api.scale.faq_check import faq_saved_on_a_answered_by_b
from tests.api.scale.postgres import Postgres, free_port, pg_bin
from tests.api.scale.redis_server import REDIS_SERVER, RedisServer
from tests.bot.stack import ensure_model
from tests.conftest import SUBSET, TTHC, copy_subset, run_tthc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "channels"))
from fake_zalo import FakeZalo  # noqa: E402
from zalo_harness import APP_ID, APP_SECRET, OA_SECRET, post_event, rows, text_event  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    pg_bin("initdb") is None or REDIS_SERVER is None,
    reason="PostgreSQL or Redis is not installed (make scale-deps)")]
ADMIN, PASSWORD = "city.admin", "city admin passphrase"
LIVE_DEADLINE_S = 5.0
BURST = 5
STARTUP_TIMEOUT_S = 300
LEASE_S = 6  # a dead replica's Zalo work is taken over after this


@dataclass
class City:
    """The running deployment and where to look at it."""

    pg: Postgres
    redis: RedisServer
    zalo: FakeZalo
    apps: list[str]
    children: list[Child]

    def logs(self) -> str:
        return "\n".join(f"--- {c.name} {c.log.name}\n{c.tail(1500)}" for c in self.children)


def _zalo_env(fake: FakeZalo) -> dict[str, str]:
    return {"TTHC_ZALO_APP_ID": APP_ID, "TTHC_ZALO_OA_SECRET_KEY": OA_SECRET,
            "TTHC_ZALO_APP_SECRET": APP_SECRET, "TTHC_ZALO_ACCESS_TOKEN": "AT-0",
            "TTHC_ZALO_REFRESH_TOKEN": "RT-0", "TTHC_ZALO_API_BASE": fake.base_url,
            "TTHC_ZALO_OAUTH_BASE": fake.base_url, "TTHC_ZALO_POLL_INTERVAL": "0.2",
            "TTHC_ZALO_RETRY_BACKOFF": "0.05", "TTHC_ZALO_LEASE_SECONDS": str(LEASE_S)}


def _start_replica(name: str, shared: dict[str, str], workdir: Path) -> tuple[Child, Child, str]:
    """Start one app and its Rasa server (not waiting for them)."""
    settings = AppSettings(_env_file=None, database_url=shared["TTHC_DATABASE_URL"],
                           port=free_port(), rasa_url=f"http://127.0.0.1:{free_port()}",
                           rasa_tracker_db=workdir / f"unused-tracker-{name}.db")
    env = stack_env(settings, shared)
    rasa = start_rasa(settings, env, workdir / f"rasa-{name}.log", ensure_model(settings))
    app = start_app(settings, env, workdir / f"app-{name}.log")
    return app, rasa, f"http://127.0.0.1:{settings.port}"


@pytest.fixture(scope="module")
def city() -> Iterator[City]:
    started = time.monotonic()
    pg, red, fake = Postgres.start(), RedisServer.start(), FakeZalo(
        APP_ID, APP_SECRET, "AT-0", "RT-0").start()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-city-"))
    children: list[Child] = []
    try:
        copy_subset(workdir / "catalog", SUBSET)
        shared = {"TTHC_DATABASE_URL": pg.url, "TTHC_REDIS_URL": red.url,
                  "TTHC_CHAT_UNSIGNED_SENDERS": "true",
                  "TTHC_INDEX_DIR": str(workdir / "index"),
                  "TTHC_CATALOG_DIR": str(workdir / "catalog"),
                  "TTHC_RATE_LIMIT_BURST": str(BURST), "TTHC_RATE_LIMIT_PER_MINUTE": "1",
                  **_zalo_env(fake)}
        full = stack_env(AppSettings(_env_file=None, database_url=pg.url), shared)
        run_tthc(full, "kb", "import")
        run_tthc(full, "kb", "build")
        subprocess.run([TTHC, "users", "add", ADMIN, "--role", "admin"], input=PASSWORD + "\n",
                       env=full, text=True, check=True, capture_output=True, timeout=120)
        print(f"database ready in {time.monotonic() - started:.1f} s")
        apps = []
        for name in ("a", "b"):  # all four processes start at once
            app, rasa, url = _start_replica(name, shared, workdir)
            children += [app, rasa]
            apps.append(url)
        city = City(pg, red, fake, apps, children)
        with ThreadPoolExecutor(4) as pool:
            checks = [pool.submit(wait_for, lambda u=url: app_ready(u), child, STARTUP_TIMEOUT_S)
                      for url, child in zip(apps, children[0::2])]
            checks += [pool.submit(wait_for, lambda c=child: _rasa_up(c), child,
                                   STARTUP_TIMEOUT_S) for child in children[1::2]]
            assert all(check.result() for check in checks), city.logs()
        print(f"city up in {time.monotonic() - started:.1f} s")
        yield city
    finally:
        for child in children:
            child.stop()
        fake.stop()
        red.stop()
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _rasa_up(child: Child) -> bool:
    port = child.process.args[child.process.args.index("-p") + 1]
    return rasa_ready(f"http://127.0.0.1:{port}")


def _query(url: str, sql: str, **params: object) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def _turns(city: City, sender: str) -> list[tuple]:
    return _query(city.pg.url, "SELECT t.text, t.source, t.procedure FROM conversation_turns t JOIN "
                  "conversations c ON c.id = t.conversation_id WHERE c.sender_id = :s "
                  "ORDER BY t.id", s=sender)


def _rasa_user_events(city: City, sender: str) -> int:
    return _query(city.pg.url, "SELECT count(*) FROM events WHERE sender_id = :s AND "
                  "type_name = 'user'", s=sender)[0][0]


def test_one_conversation_alternates_app_and_rasa_replicas_and_keeps_context(city) -> None:
    balancer = itertools.cycle(city.apps)
    texts = ["đăng ký khai sinh cần giấy tờ gì", "lệ phí bao nhiêu", "nộp ở đâu"]
    with httpx.Client(timeout=60) as client:
        for message in texts:
            reply = client.post(f"{next(balancer)}/api/chat",
                                json={"sender_id": "city-rr-1", "text": message})
            assert reply.status_code == 200, reply.text
            shown = " ".join(m["text"] for m in reply.json()["messages"]).lower()
            # every answer links the khai sinh checklist (the header is shown once)
            assert "/thu-tuc/1.001193" in shown, (message, reply.json(), city.logs())
    turns = _turns(city, "web:city-rr-1")
    assert [t[0] for t in turns] == texts  # each message stored once, in order
    assert {t[1] for t in turns} == {"rasa"}, turns  # answered by Rasa, not the fallback
    assert turns[1][2] == turns[0][2] is not None, turns  # the follow-up kept the procedure
    assert _rasa_user_events(city, "web:city-rr-1") == len(texts)  # each handled once by Rasa
    for rasa in city.children[1::2]:  # both Rasa servers serialised turns through Redis
        assert "Lock store: Redis." in rasa.log.read_text(errors="replace"), rasa.tail()


def test_an_faq_saved_on_replica_a_is_answered_by_replica_b(city) -> None:
    replica_a, replica_b = city.apps
    senders, seconds = faq_saved_on_a_answered_by_b(replica_a, replica_b, ADMIN, PASSWORD,
                                                    "city-faq-", LIVE_DEADLINE_S)
    print(f"FAQ answered by the other replica {seconds:.2f} s after saving")
    for sender in senders:
        assert len(_turns(city, f"web:{sender}")) == 1


def test_the_rate_limit_counts_a_sender_across_replicas(city) -> None:
    balancer = itertools.cycle(city.apps)
    with httpx.Client(timeout=60) as client:
        codes = [client.post(f"{next(balancer)}/api/chat",
                             json={"sender_id": "city-rl", "text": "xin chào"}).status_code
                 for _ in range(BURST + 1)]
    # Per replica, each would have seen only 3 messages (under the burst of 5).
    assert codes == [200] * BURST + [429], codes
    assert len(_turns(city, "web:city-rl")) == BURST  # the refused message is not a turn


def test_zalo_events_through_redis_are_answered_exactly_once(city) -> None:
    users = [f"city-z{n}" for n in range(4)]
    events = [text_event(user, message, f"{user}-{i}")
              for i, message in enumerate(["lệ phí đăng ký khai sinh", "nộp ở đâu"])
              for user in users]
    balancer = itertools.cycle(city.apps)
    acks: list[float] = []
    with httpx.Client(timeout=10) as client:
        for event in events:
            first, again = next(balancer), next(balancer)
            sent = time.monotonic()
            assert post_event(client, first, event).json() == {"status": "queued"}
            acks.append(time.monotonic() - sent)
            # Zalo redelivers (no 200 seen in time), this time to the other replica.
            assert post_event(client, again, event).json() == {"status": "duplicate"}
        next(balancer)
    posted = time.monotonic()
    while time.monotonic() < posted + 90:
        done = rows(city.pg.url, ZaloInboundRow, ZaloInboundRow.status == "done")
        if len(done) == len(events):
            break
        time.sleep(0.2)
    print(f"Zalo: {len(events)} events acknowledged in max {max(acks) * 1000:.0f} ms "
          f"(median {sorted(acks)[len(acks) // 2] * 1000:.0f} ms), all answered "
          f"{time.monotonic() - posted:.1f} s after the last one")
    inbound = rows(city.pg.url, ZaloInboundRow)
    assert len(inbound) == len(events) and all(r.status == "done" for r in inbound), city.logs()
    outbox = rows(city.pg.url, ZaloOutboxRow)
    assert outbox and all(r.status == "sent" for r in outbox)
    assert {r.inbound_id for r in outbox} == {r.id for r in inbound}  # every event answered
    assert len(city.zalo.received) == len(outbox)  # ... and every reply sent exactly once
    for user in users:
        assert len(_turns(city, f"zalo:{user}")) == 2
    client = redis.Redis.from_url(city.redis.url)
    assert len(client.keys(SEEN_PREFIX + "*")) == len(events)  # accepted through Redis
    assert client.xlen(STREAM) == 0 and client.xpending(STREAM, GROUP)["pending"] == 0


def test_a_replica_killed_right_after_acknowledging_loses_nothing(city) -> None:
    """Runs last: replica A's app stays dead (SIGKILL); replica B takes its Zalo work over."""
    users = [f"city-k{n}" for n in range(3)]
    events = [text_event(user, "thủ tục kết hôn cần giấy tờ gì", f"{user}-0") for user in users]
    with httpx.Client(timeout=10) as client:
        for event in events:
            assert post_event(client, city.apps[0], event).json() == {"status": "queued"}
    os.killpg(city.children[0].process.pid, signal.SIGKILL)
    killed = time.monotonic()
    mine = ZaloInboundRow.user_id.in_(users)
    while time.monotonic() < killed + 60:
        done = rows(city.pg.url, ZaloInboundRow, mine, ZaloInboundRow.status == "done")
        if len(done) == len(events):
            break
        time.sleep(0.2)
    print(f"Zalo: replica A killed; B answered its events {time.monotonic() - killed:.1f} s later")
    inbound = rows(city.pg.url, ZaloInboundRow, mine)
    assert len(inbound) == len(events) and all(r.status == "done" for r in inbound), city.logs()
    for user in users:
        sent = rows(city.pg.url, ZaloOutboxRow, ZaloOutboxRow.user_id == user)
        assert sent and all(r.status == "sent" for r in sent)
        assert len(city.zalo.messages_for(user)) == len(sent)  # each part sent once
        assert len(_turns(city, f"zalo:{user}")) == 1  # the conversation loop ran once
    client = redis.Redis.from_url(city.redis.url)
    # An entry A read but never acknowledged is B's after the lease; B may have answered
    # its database row first (that has its own lease), so give the stream the lease too.
    deadline = time.monotonic() + LEASE_S + 10
    while client.xpending(STREAM, GROUP)["pending"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.xpending(STREAM, GROUP)["pending"] == 0
