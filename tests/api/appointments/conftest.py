"""A real app server on a private copy of the session database, for the appointment tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from appointments_harness import Server, add_staff, base_env, new_pii_key, serve  # noqa: E402

from api.config import AppSettings  # noqa: E402
from ops.processes import stack_env  # noqa: E402
from tests.conftest import copy_database  # noqa: E402


@pytest.fixture(scope="module")
def server(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app served by uvicorn on SQLite, with an admin and a support account."""
    workdir = tmp_path_factory.mktemp("appointments")
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    env = base_env(f"sqlite:///{workdir / 'kb.db'}", kb_workdir, kb_workdir / "index",
                   new_pii_key())
    add_staff(stack_env(AppSettings(_env_file=None), env))
    with serve(env, workdir / "app.log") as started:
        yield started
