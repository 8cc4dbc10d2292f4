"""Tests of the lock store on a real throwaway ``redis-server``, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_lock_store.py``
(``tests/api/scale/test_rasa_lock_store.py`` does this in ``make test``).
Two store objects stand for two Rasa replicas.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest
from components.lock_store import EnvLockStore
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

CONFIG = EndpointConfig(type="components.lock_store.EnvLockStore")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis() -> tuple[subprocess.Popen, str, str]:
    root = tempfile.mkdtemp(prefix="tthc-rasa-redis-")
    port = _free_port()
    process = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                                "--dir", root, "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"redis://127.0.0.1:{port}/0", root
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """A throwaway ``redis-server`` on 127.0.0.1 for this module's tests."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (make scale-deps)")
    server, redis_url, directory = _start_redis()
    try:
        yield redis_url
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(directory, ignore_errors=True)


def _env(**values: str) -> None:
    for name in ("TTHC_REDIS_URL", "SANIC_WORKERS"):
        os.environ.pop(name, None)
    os.environ.update(values)


def test_without_redis_one_process_uses_memory() -> None:
    _env()
    store = LockStore.create(CONFIG)  # the way Rasa builds it from endpoints.yml
    assert isinstance(store, EnvLockStore)
    assert isinstance(store.delegate, InMemoryLockStore)


def test_without_redis_several_sanic_workers_refuse_to_start() -> None:
    _env(SANIC_WORKERS="2")
    try:
        EnvLockStore(CONFIG)
    except RasaException as error:
        assert "TTHC_REDIS_URL" in str(error)
    else:
        raise AssertionError("SANIC_WORKERS=2 started with per-process locks")


def test_with_redis_sanic_workers_are_allowed(url: str) -> None:
    _env(TTHC_REDIS_URL=url, SANIC_WORKERS="2")
    assert number_of_sanic_workers(CONFIG) == 2
    assert isinstance(EnvLockStore(CONFIG).delegate, RedisLockStore)


def test_two_replicas_take_turns_on_one_conversation(url: str) -> None:
    _env(TTHC_REDIS_URL=url)
    replica_a, replica_b = EnvLockStore(CONFIG), EnvLockStore(CONFIG)
    order: list[str] = []

    async def handle(store: EnvLockStore, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock("web:lock-1", wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(0.3)
            order.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(handle(replica_a, "a", 0), handle(replica_b, "b", 0.05))

    asyncio.run(both())
    assert order == ["a in", "a out", "b in", "b out"], order
    assert replica_b.get_lock("web:lock-1") is None  # cleaned up in Redis
    keys = replica_a.delegate.red.keys("tthc:lock:*")
    assert keys == [], keys


def test_redis_down_fails_at_start_up() -> None:
    _env(TTHC_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    try:
        EnvLockStore(CONFIG)
    except Exception as error:  # redis.ConnectionError
        assert "onnect" in type(error).__name__ + str(error), error
    else:
        raise AssertionError("started without its Redis")

