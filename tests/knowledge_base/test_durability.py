"""Killing a catalog import or an index build midway never leaves a half-updated knowledge base.

A real ``tthc`` process works on a private copy of the session database and
index and is killed with SIGKILL while it writes (the database's ``-wal`` file
growing, or the build's work directory filling up). Then: the database holds
either the old catalog or the whole new one, the index in service still loads
and answers, a half-written build is never served and is removed by the next
build, and running the command again completes.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from knowledge_base.build import POINTER, current_build
from knowledge_base.models import Decision
from knowledge_base.service import KnowledgeBase
from tests.conftest import CATALOG, PROJECT_ROOT, TTHC, copy_database, kb_env, run_tthc

pytestmark = pytest.mark.slow
KILL_TIMEOUT_S = 300


def start_tthc(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([TTHC, *args], env=env, cwd=PROJECT_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def kill_when(process: subprocess.Popen, ready) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL ``process`` as soon as ``ready()`` is true; fail if it ended first."""
    deadline = time.monotonic() + KILL_TIMEOUT_S
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"tthc ended before it could be killed: {process.stderr.read()[-2000:]}")
        assert time.monotonic() < deadline, "tthc made no visible progress"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def catalog_state(database: Path) -> dict[str, object]:
    """What an import changes, read with plain sqlite3 (as a fresh process would)."""
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        meta = dict(db.execute("SELECT key, value FROM kb_meta"))
        return {
            "procedures": dict(db.execute("SELECT code, source_hash FROM procedures")),
            "import_runs": db.execute("SELECT count(*) FROM import_runs").fetchone()[0],
            "revision": meta.get("revision"),
        }


def private_kb(kb_workdir: Path, workdir: Path) -> dict[str, str]:
    """Environment of a knowledge base of our own: copies of the session database and index."""
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    shutil.copytree(kb_workdir / "index", workdir / "index")
    env = kb_env(workdir)
    env["TTHC_CATALOG_DIR"] = str(kb_workdir / "catalog")
    return env


def serves(kb_settings, workdir: Path) -> KnowledgeBase:  # type: ignore[no-untyped-def]
    """A freshly started knowledge base on ``workdir`` answers a common question right."""
    settings = kb_settings.model_copy(update={
        "database_url": f"sqlite:///{workdir / 'kb.db'}", "index_dir": workdir / "index"})
    kb = KnowledgeBase(settings)
    try:
        kb.warm_up()
        result = kb.search("đăng ký khai sinh cho con cần giấy tờ gì")
        assert result.decision == Decision.ANSWER and result.hits[0].id == "1.001193"
    finally:
        kb.store.engine.dispose()
    return kb


def test_import_killed_midway_keeps_the_old_catalog_or_the_whole_new_one(
        kb_workdir: Path, kb_settings, tmp_path: Path) -> None:
    if len(list(CATALOG.glob("*/*.json"))) < 200:
        pytest.skip("the full shared catalog is needed for an import long enough to interrupt")
    env = private_kb(kb_workdir, tmp_path)
    database = tmp_path / "kb.db"
    before = catalog_state(database)
    wal = Path(f"{database}-wal")

    # The import's single write transaction spills pages into the -wal file as it goes.
    process = start_tthc(env, "kb", "import", "--source", str(CATALOG))
    kill_when(process, lambda: wal.exists() and wal.stat().st_size > 256 * 1024)

    after_kill = catalog_state(database)
    committed = after_kill["procedures"] != before["procedures"]  # killed after the commit?
    if not committed:
        assert after_kill == before
    serves(kb_settings, tmp_path)  # the previous index and catalog keep answering

    rerun = run_tthc(env, "kb", "import", "--source", str(CATALOG))
    assert "procedures: " in rerun.stderr
    done = catalog_state(database)
    assert set(done["procedures"]) >= set(before["procedures"])
    assert len(done["procedures"]) > len(before["procedures"])
    if committed:  # then it was the whole new catalog, recorded once
        assert after_kill["procedures"] == done["procedures"]
        assert after_kill["import_runs"] == before["import_runs"] + 1
    again = run_tthc(env, "kb", "import", "--source", str(CATALOG))
    assert "diff: 0 added, 0 changed, 0 removed" in again.stderr
    assert catalog_state(database)["procedures"] == done["procedures"]


def test_build_killed_midway_leaves_the_current_index_serving(
        kb_workdir: Path, kb_settings, tmp_path: Path) -> None:
    env = private_kb(kb_workdir, tmp_path)
    index = tmp_path / "index"
    serving = current_build(index)
    assert serving is not None
    pointer = (index / POINTER).read_text()

    def work_dirs() -> list[Path]:
        return list((index / "builds").glob(".*.tmp"))

    def half_written() -> bool:
        try:
            return any(any(d.iterdir()) for d in work_dirs())
        except FileNotFoundError:
            return False

    process = start_tthc(env, "kb", "build")
    # Killed once the trained model is saved in the work directory, before the pointer moves.
    kill_when(process, half_written)
    abandoned = work_dirs()
    assert abandoned and (index / POINTER).read_text() == pointer
    assert current_build(index) == serving
    serves(kb_settings, tmp_path)  # the next start loads the previous build

    rebuilt = run_tthc(env, "kb", "build")
    assert "index built" in rebuilt.stderr
    assert current_build(index) not in (None, serving)
    assert not any(d.exists() for d in abandoned) and not work_dirs()
    assert serves(kb_settings, tmp_path).build_dir == current_build(index)
    assert os.listdir(index / "builds")  # the previous build is kept for a quick roll-back


def test_copying_a_live_database_leaves_its_wal_alone(tmp_path: Path) -> None:
    """Tests copy the session database while this process has it open.

    ``shutil.copy`` closed a file handle on it, which dropped every POSIX lock this
    process held; the next process to close the database then took itself for the
    last user and deleted ``-wal``/``-shm`` under our open connections, and reads
    failed later with "disk I/O error". ``copy_database`` goes through SQLite.
    """
    from knowledge_base.store import KnowledgeStore

    source = tmp_path / "live.db"
    store = KnowledgeStore(f"sqlite:///{source}")
    try:
        store.set_meta("probe", "1")  # the pool keeps an idle connection, as a running app does
        copy_database(source, tmp_path / "copy.db")
        subprocess.run([sys.executable, "-c", READ_AND_CLOSE, str(source)], check=True, timeout=60)
        assert Path(f"{source}-wal").exists() and Path(f"{source}-shm").exists()
        store.set_meta("probe", "2")
        copy_database(source, tmp_path / "again.db")
        with closing(sqlite3.connect(tmp_path / "again.db")) as db:
            assert db.execute("SELECT value FROM kb_meta WHERE key = 'probe'").fetchone() == ("2",)
    finally:
        store.engine.dispose()


READ_AND_CLOSE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("SELECT count(*) FROM kb_meta").fetchone()
db.close()
"""
