"""Shared fixtures: a real knowledge base built from a subset of the shared catalog.

The subset is copied from ``../shared/data/catalog`` into a temporary directory
at test time (never into the repository), imported, and indexed with the
project's real trained model, once per test session.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path(
    os.environ.get("TTHC_TEST_CATALOG", PROJECT_ROOT.parent / "shared" / "data" / "catalog")
)
TTHC = str(Path(sys.executable).parent / "tthc")

# Procedures citizens ask about most, close variants that must be told apart,
# and one mismatched record (3.000224 holds another procedure's page).
SUBSET = [
    "1.001193",
    "1.000689",
    "2.000528",
    "1.004884",
    "1.003583",
    "2.001023",
    "2.000986",
    "1.000894",
    "2.000806",
    "1.004746",
    "1.004873",
    "1.000656",
    "1.005461",
    "2.000635",
    "1.004222",
    "1.004194",
    "1.003197",
    "1.010028",
    "1.002755",
    "2.000815",
    "2.000884",
    "1.014061",
    "1.014062",
    "1.014063",
    "1.014064",
    "3.000228",
    "1.001612",
    "2.000720",
    "1.001266",
    "3.000224",
]


def catalog_file(code: str) -> Path:
    """Path of one shared catalog file by procedure code."""
    matches = list(CATALOG.glob(f"*/{code}.json"))
    if not matches:
        pytest.skip(f"shared catalog file for {code} not found under {CATALOG}")
    return matches[0]


def copy_subset(target: Path, codes: list[str]) -> Path:
    """Copy catalog files into ``target/<ministry>/`` and return ``target``."""
    for code in codes:
        source = catalog_file(code)
        (target / source.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target / source.parent.name / source.name)
    return target


def copy_database(source: Path, target: Path) -> Path:
    """Copy a SQLite database that may be open elsewhere, through SQLite (backup API).

    Never ``shutil.copy`` a live WAL database: the copy misses what is still in
    ``-wal``, and closing the copier's file handle drops every POSIX lock this
    process holds on the file, so the next process to close the database thinks
    it is the last user and deletes ``-wal``/``-shm`` under our open connections
    (later reads fail with "disk I/O error").
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)
    return target


def kb_env(workdir: Path) -> dict[str, str]:
    """Environment that points every TTHC_ setting at ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTHC_")}
    env.update(
        {
            "TTHC_DATABASE_URL": f"sqlite:///{workdir / 'kb.db'}",
            "TTHC_INDEX_DIR": str(workdir / "index"),
            "TTHC_CATALOG_DIR": str(workdir / "catalog"),
            "TTHC_CHAT_UNSIGNED_SENDERS": "true",  # tests name their own web sender ids
        }
    )
    return env


def run_tthc(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the installed `tthc` command with ``env``."""
    return subprocess.run(
        [TTHC, *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        cwd=PROJECT_ROOT,
        timeout=600,
    )


@pytest.fixture(scope="session")
def kb_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding an imported and indexed subset of the real catalog."""
    workdir = tmp_path_factory.mktemp("kb")
    copy_subset(workdir / "catalog", SUBSET)
    env = kb_env(workdir)
    run_tthc(env, "kb", "import")
    run_tthc(env, "kb", "build")
    return workdir


@pytest.fixture(scope="session")
def private_database(
    kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """Factory: a private copy of the session database in a new temp dir; returns its URL.

    Tests that write (turns, users, FAQ edits) work on a copy so nothing leaks
    into other tests; the copy is made safely while the session database is open.
    """

    def make(name: str) -> str:
        target = tmp_path_factory.mktemp(name) / "kb.db"
        return f"sqlite:///{copy_database(kb_workdir / 'kb.db', target)}"

    return make


@pytest.fixture(scope="session")
def kb_settings(kb_workdir: Path):
    """Settings object for the session knowledge base."""
    from knowledge_base.settings import KnowledgeBaseSettings

    return KnowledgeBaseSettings(
        database_url=f"sqlite:///{kb_workdir / 'kb.db'}",
        index_dir=kb_workdir / "index",
        catalog_dir=kb_workdir / "catalog",
    )


@pytest.fixture(scope="session")
def knowledge_base(kb_settings):
    """The real knowledge base, warmed up once for the session."""
    from knowledge_base.service import KnowledgeBase

    kb = KnowledgeBase(kb_settings)
    kb.warm_up()
    return kb
