"""The PostgreSQL path: two app replicas on one database never overbook a slot.

Twenty citizens book the same one-place slot at once, alternating between two
uvicorn replicas (separate processes, separate connection pools): the lock row
taken inside each booking's transaction lets exactly one through. A repeated
submit sent to the other replica returns the same booking.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from appointments_harness import (
    PROCEDURE,
    Server,
    add_staff,
    base_env,
    last_bookable_day,
    new_pii_key,
    post_all_at_once,
    serve,
    slots_of,
)

from api.config import AppSettings
from ops.processes import stack_env
from tests.api.scale.postgres import Postgres, pg_bin
from tests.conftest import SUBSET, copy_subset, run_tthc

pytestmark = pytest.mark.skipif(pg_bin("initdb") is None, reason="PostgreSQL is not installed")


@pytest.fixture(scope="module")
def replicas(kb_workdir: Path) -> Iterator[list[Server]]:
    pg = Postgres.start()
    workdir = Path(tempfile.mkdtemp(prefix="tthc-appt-pg-"))
    try:
        copy_subset(workdir / "catalog", SUBSET)
        env = base_env(pg.url, workdir, kb_workdir / "index", new_pii_key())
        full = stack_env(AppSettings(_env_file=None), env)
        run_tthc(full, "kb", "import")
        add_staff(full)
        with ExitStack() as stack:
            yield [stack.enter_context(serve(env, workdir / f"app-{name}.log"))
                   for name in ("a", "b")]
    finally:
        pg.stop()


def test_twenty_simultaneous_bookings_across_replicas_make_one(replicas: list[Server]) -> None:
    a, b = replicas
    response = httpx.put(f"{a.url}/api/admin/appointments/settings", headers=a.admin, timeout=10,
                         json={"slot_minutes": 30, "capacity_per_slot": 1, "days_ahead": 6})
    assert response.status_code == 200, response.text
    day = last_bookable_day(b.url)
    start = slots_of(b.url, day)[0]["start"]

    results = post_all_at_once([
        (f"{replicas[i % 2].url}/api/appointments",
         {"sender_id": f"pg{i}", "procedure": PROCEDURE, "start": start,
          "name": "Phạm Thị Dung", "phone": f"0902{i:06d}"}) for i in range(20)])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * 19, [r.text for r in results if r.status_code >= 500]
    assert slots_of(a.url, day)[0]["free"] == 0
    winner = next(i for i, r in enumerate(results) if r.status_code == 201)
    replay = httpx.post(f"{replicas[(winner + 1) % 2].url}/api/appointments", timeout=30, json={
        "sender_id": f"pg{winner}", "procedure": PROCEDURE, "start": start,
        "name": "Phạm Thị Dung", "phone": f"0902{winner:06d}"})
    assert replay.status_code == 201
    assert replay.json()["code"] == results[winner].json()["code"]
