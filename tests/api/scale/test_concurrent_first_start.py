"""Replicas starting at the same moment on an empty PostgreSQL database all come up.

Each process creates the app (which registers every table: knowledge base,
conversations, staff, Zalo) and opens the store the way the app's lifespan does,
released together at one instant. Without the schema lock, ``CREATE TABLE``
races and one of them fails on a duplicate table.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect

from tests.api.scale.postgres import Postgres, pg_bin
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.skipif(pg_bin("initdb") is None, reason="PostgreSQL is not installed")
REPLICAS = 4
START = """
import sys, time
from api.config import AppSettings
from api.main import create_app
create_app(AppSettings(_env_file=None))  # registers every table (routes, channels), as before
from knowledge_base.db import Base
from knowledge_base.store import KnowledgeStore
url, at = sys.argv[1], float(sys.argv[2])
time.sleep(max(0.0, at - time.time()))
KnowledgeStore(url)
print(" ".join(sorted(Base.metadata.tables)))
"""


@pytest.fixture()
def empty_postgres() -> Iterator[Postgres]:
    pg = Postgres.start()
    try:
        yield pg
    finally:
        pg.stop()


def test_replicas_starting_together_on_an_empty_database(empty_postgres: Postgres) -> None:
    # Imports take a few seconds; every process waits for the same instant after them.
    at = time.time() + 20
    children = [
        subprocess.Popen([sys.executable, "-c", START, empty_postgres.url, str(at)],
                         cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(REPLICAS)
    ]
    outcomes = [child.communicate(timeout=180) for child in children]
    for child, (_, err) in zip(children, outcomes):
        assert child.returncode == 0, err[-3000:]
    expected = set(outcomes[0][0].split())
    assert {"procedures", "conversation_turns", "staff_users", "zalo_outbox"} <= expected

    engine = create_engine(empty_postgres.url)
    try:
        assert expected <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
