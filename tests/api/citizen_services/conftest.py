"""Real app servers for the chat's citizen services (Rasa unreachable: degraded mode)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "appointments"))
from appointments_harness import Server, add_staff, base_env, new_pii_key, serve  # noqa: E402
from fake_status import FakeStatusServer  # noqa: E402

from api.config import AppSettings  # noqa: E402
from ops.processes import stack_env  # noqa: E402
from tests.conftest import copy_database  # noqa: E402


@pytest.fixture(scope="module")
def fake_status() -> Iterator[FakeStatusServer]:
    server = FakeStatusServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def start_server(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Callable[..., Server]]:
    """Start an app (index loaded) on a private database copy with extra environment."""
    with ExitStack() as stack:
        def start(**extra: str) -> Server:
            workdir = tmp_path_factory.mktemp("services")
            copy_database(kb_workdir / "kb.db", workdir / "kb.db")
            env = {**base_env(f"sqlite:///{workdir / 'kb.db'}", kb_workdir,
                              kb_workdir / "index", new_pii_key()), **extra}
            add_staff(stack_env(AppSettings(_env_file=None), env))
            return stack.enter_context(serve(env, workdir / "app.log", ready=True))

        yield start
