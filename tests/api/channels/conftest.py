"""Fixtures for the Zalo channel tests: a fake Zalo server and the app served for real."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_zalo import FakeZalo
from zalo_harness import (
    APP_ID,
    APP_SECRET,
    AppServer,
    EchoConversation,
    make_settings,
    standin_app,
)

from api.channels.zalo.settings import ZaloSettings


@pytest.fixture()
def fake_zalo() -> Iterator[FakeZalo]:
    fake = FakeZalo(APP_ID, APP_SECRET, access_token="AT-0", refresh_token="RT-0").start()
    yield fake
    fake.stop()


@pytest.fixture()
def zalo_settings(fake_zalo: FakeZalo) -> ZaloSettings:
    return make_settings(fake_zalo)


@pytest.fixture()
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'zalo.db'}"


@pytest.fixture()
def conversation() -> EchoConversation:
    return EchoConversation()


@pytest.fixture()
def serve(database_url: str, conversation: EchoConversation) -> Iterator[Callable[..., AppServer]]:
    """Start (and later stop) apps; call again after ``stop`` to restart on the same database."""
    servers: list[AppServer] = []

    def start(settings: ZaloSettings) -> AppServer:
        server = AppServer(standin_app(settings, database_url, conversation)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.thread.is_alive():
            server.stop()


