"""Zalo acknowledgement latency on PostgreSQL: database intake vs the Redis intake.

Starts a throwaway PostgreSQL and Redis, a fake Zalo, and one app replica (no
Rasa: answers come from the degraded mode, so the measurement is the intake and
the worker, not the dialogue model), sends signed events with
``ops.bench_ack`` and waits until every event is answered.
The same database and index serve both runs.

    .venv/bin/python -m tests.api.scale.bench_intake --events 300 --concurrency 8
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.channels.zalo.models import ZaloInboundRow
from api.config import AppSettings
from ops.bench_ack import run_bench
from ops.processes import app_ready, stack_env, start_app, wait_for
from tests.api.scale.postgres import Postgres, free_port
from tests.api.scale.redis_server import RedisServer
from tests.conftest import SUBSET, copy_subset, run_tthc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "channels"))
from fake_zalo import FakeZalo  # noqa: E402
from zalo_harness import APP_ID, APP_SECRET, OA_SECRET  # noqa: E402


def _pending(url: str) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(ZaloInboundRow)
                                  .where(ZaloInboundRow.status != "done")) or 0
    finally:
        engine.dispose()


def _run(label: str, env: dict[str, str], pg: Postgres, workdir: Path, events: int,
         concurrency: int) -> str:
    settings = AppSettings(_env_file=None, database_url=pg.url, port=free_port(),
                           rasa_url=f"http://127.0.0.1:{free_port()}")
    app = start_app(settings, stack_env(settings, env), workdir / f"app-{label}.log")
    try:
        url = f"http://127.0.0.1:{settings.port}"
        assert wait_for(lambda: app_ready(url), app, 300), app.tail()
        started = time.monotonic()
        result = run_bench(url, APP_ID, OA_SECRET, events, concurrency)
        sent = time.monotonic()
        while _pending(pg.url) and time.monotonic() < sent + 300:
            time.sleep(0.2)
        drained = time.monotonic()
        return (f"{label}: {result.summary()}; sending took {sent - started:.1f} s, "
                f"all answered {drained - sent:.1f} s after the last acknowledgement "
                f"({events / (drained - started):.1f} events/s end to end)")
    finally:
        app.stop()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    pg, red = Postgres.start(), RedisServer.start()
    fake = FakeZalo(APP_ID, APP_SECRET, "AT-0", "RT-0").start()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-bench-intake-"))
    try:
        copy_subset(workdir / "catalog", SUBSET)
        env = {"TTHC_DATABASE_URL": pg.url, "TTHC_INDEX_DIR": str(workdir / "index"),
               "TTHC_CATALOG_DIR": str(workdir / "catalog"), "TTHC_ZALO_APP_ID": APP_ID,
               "TTHC_ZALO_OA_SECRET_KEY": OA_SECRET, "TTHC_ZALO_APP_SECRET": APP_SECRET,
               "TTHC_ZALO_ACCESS_TOKEN": "AT-0", "TTHC_ZALO_REFRESH_TOKEN": "RT-0",
               "TTHC_ZALO_API_BASE": fake.base_url, "TTHC_ZALO_OAUTH_BASE": fake.base_url,
               "TTHC_ZALO_FREE_REPLY_LIMIT": "100000", "TTHC_REDIS_URL": ""}
        full = stack_env(AppSettings(_env_file=None, database_url=pg.url), env)
        run_tthc(full, "kb", "import")
        run_tthc(full, "kb", "build")
        print(_run("database intake", env, pg, workdir, args.events, args.concurrency))
        print(_run("redis intake", {**env, "TTHC_REDIS_URL": red.url}, pg, workdir,
                   args.events, args.concurrency))
        print(f"fake Zalo received {len(fake.received)} reply parts")
    finally:
        fake.stop()
        red.stop()
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
