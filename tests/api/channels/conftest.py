"""Fixtures for the Zalo channel tests: a fake Zalo server and the real app served for real.

Each test gets its own copy of the session knowledge base's database, so queued
events, tokens and conversations never leak from one test into the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_zalo import FakeZalo
from zalo_harness import APP_ID, APP_SECRET, AppServer, make_settings, real_app

from api.channels.zalo.settings import ZaloSettings
from tests.conftest import copy_database


@pytest.fixture()
def fake_zalo() -> Iterator[FakeZalo]:
    fake = FakeZalo(APP_ID, APP_SECRET, access_token="AT-0", refresh_token="RT-0").start()
    yield fake
    fake.stop()


@pytest.fixture()
def zalo_settings(fake_zalo: FakeZalo) -> ZaloSettings:
    return make_settings(fake_zalo)


@pytest.fixture()
def database_url(kb_workdir: Path, tmp_path: Path) -> str:
    copy_database(kb_workdir / "kb.db", tmp_path / "kb.db")
    return f"sqlite:///{tmp_path / 'kb.db'}"


@pytest.fixture()
def serve(database_url: str, kb_workdir: Path) -> Iterator[Callable[..., AppServer]]:
    """Start (and later stop) the real app; call again after ``stop`` to restart it."""
    servers: list[AppServer] = []

    def start(settings: ZaloSettings) -> AppServer:
        server = AppServer(real_app(settings, database_url, kb_workdir)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.thread.is_alive():
            server.stop()
