"""The Redis pieces on a real throwaway ``redis-server``: shared rate limits, the Zalo intake.

Two limiter objects stand for two app replicas; two intakes with different
consumer names stand for two replicas' pumps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from api.channels.zalo.events import EventKind, ZaloEvent
from api.channels.zalo.models import TABLES, ZaloInboundRow
from api.channels.zalo.queue import InboundQueue, QueueUnavailableError
from api.channels.zalo.queue_redis import GROUP, STREAM, RedisIntake
from api.config import AppSettings
from api.rate_limit import RateLimiter, RedisRateLimiter, build_rate_limiter
from knowledge_base.db import Base, session_factory
from tests.api.scale.redis_server import REDIS_SERVER, RedisServer, free_port

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[RedisServer]:
    running = RedisServer.start()
    yield running
    running.stop()


@pytest.fixture()
def url(server: RedisServer) -> str:
    redis.Redis.from_url(server.url).flushdb()
    return server.url


@pytest.fixture()
def sessions(tmp_path: Path) -> sessionmaker:
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    Base.metadata.create_all(engine, tables=TABLES)
    return session_factory(engine)


def event(user: str, msg_id: str, text: str = "lệ phí khai sinh") -> ZaloEvent:
    return ZaloEvent(kind=EventKind.TEXT, event_name="user_send_text", user_id=user,
                     dedup_key=f"msg:{msg_id}", text=text, timestamp_ms=1)


def stored(sessions: sessionmaker) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(ZaloInboundRow.dedup_key).order_by(ZaloInboundRow.id)))


def test_two_replicas_share_one_bucket_per_sender(url: str) -> None:
    replica_a, replica_b = RedisRateLimiter(url, 60, 3), RedisRateLimiter(url, 60, 3)
    waits = [limiter.acquire("web:rl-1") for limiter in (replica_a, replica_b) * 2]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.5 < waits[3] <= 1.0  # one token a second; the 4th message waits for it
    assert replica_b.acquire("web:someone-else") == 0.0  # other senders are not affected
    time.sleep(waits[3] + 0.1)
    assert replica_b.acquire("web:rl-1") == 0.0


def test_settings_choose_the_limiter_and_redis_down_lets_messages_through() -> None:
    plain = AppSettings(_env_file=None)
    assert isinstance(build_rate_limiter(plain), RateLimiter)
    down = AppSettings(_env_file=None, redis_url=f"redis://127.0.0.1:{free_port()}/0",
                       rate_limit_burst=1)
    limiter = build_rate_limiter(down)
    assert isinstance(limiter, RedisRateLimiter)
    assert [limiter.acquire("web:x") for _ in range(3)] == [0.0, 0.0, 0.0]


def test_intake_deduplicates_and_moves_events_to_the_database_once(
        url: str, sessions: sessionmaker) -> None:
    replicas = [RedisIntake(url, InboundQueue(sessions, name, 30), name, 8, 30)
                for name in ("a", "b")]
    replicas[0].ensure_group()
    replicas[1].ensure_group()  # the second replica's start must not fail
    assert replicas[0].enqueue(event("u1", "m1"))
    assert not replicas[1].enqueue(event("u1", "m1"))  # Zalo's redelivery to the other replica
    assert replicas[1].enqueue(event("u2", "m2"))
    moved = replicas[0].move(block_ms=100) + replicas[1].move(block_ms=100)
    assert moved == 2
    assert stored(sessions) == ["msg:m1", "msg:m2"]
    client = redis.Redis.from_url(url)
    assert client.xlen(STREAM) == 0  # acknowledged and deleted
    assert client.xpending(STREAM, GROUP)["pending"] == 0


def test_an_event_taken_by_a_crashed_replica_is_stored_by_another(
        url: str, sessions: sessionmaker) -> None:
    survivor = RedisIntake(url, InboundQueue(sessions, "b", 30), "b", 8, claim_idle_seconds=0.3)
    survivor.ensure_group()
    assert survivor.enqueue(event("u3", "m3"))
    client = redis.Redis.from_url(url)
    # Replica "a" reads the entry and dies before storing or acknowledging it.
    taken = client.xreadgroup(GROUP, "a", {STREAM: ">"}, count=10)
    assert len(taken[0][1]) == 1
    assert survivor.move(block_ms=50) == 0  # not idle long enough yet: still a's
    time.sleep(0.4)
    assert survivor.move(block_ms=50) == 1
    assert stored(sessions) == ["msg:m3"]
    assert client.xpending(STREAM, GROUP)["pending"] == 0


def test_database_keeps_one_row_when_an_entry_is_moved_twice(
        url: str, sessions: sessionmaker) -> None:
    intake = RedisIntake(url, InboundQueue(sessions, "a", 30), "a", 8, 30)
    intake.ensure_group()
    intake.enqueue(event("u4", "m4"))
    client = redis.Redis.from_url(url)
    entry_id, fields = client.xreadgroup(GROUP, "a", {STREAM: ">"}, count=1)[0][1][0]
    intake._store(fields)  # stored, then the replica died before XACK ...
    intake._store(fields)  # ... and the entry was delivered again
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ZaloInboundRow)) == 1


def test_redis_down_is_reported_to_the_webhook(sessions: sessionmaker) -> None:
    intake = RedisIntake(f"redis://127.0.0.1:{free_port()}/0", InboundQueue(sessions, "a", 30),
                         "a", 8, 30)
    with pytest.raises(QueueUnavailableError):
        intake.enqueue(event("u5", "m5"))
