"""A real app server (uvicorn subprocess) for the appointment tests, on SQLite or PostgreSQL."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from api.config import AppSettings
from ops.processes import Child, app_ready, app_up, free_port, stack_env, start_app, wait_for
from tests.conftest import TTHC

ADMIN, SUPPORT, PASSWORD = "appt.admin", "appt.support", "appointment test passphrase"
PROCEDURE = "1.001193"  # đăng ký khai sinh, in the test catalog subset


@dataclass
class Server:
    """A started app: its URL, process and staff tokens."""

    url: str
    child: Child
    admin: dict[str, str]
    support: dict[str, str]
    database_url: str = ""


def base_env(database_url: str, workdir: Path, index_dir: Path, pii_key: str) -> dict[str, str]:
    """The app's environment: its database, index, PII key; no Rasa reachable."""
    return {"TTHC_DATABASE_URL": database_url, "TTHC_INDEX_DIR": str(index_dir),
            "TTHC_CATALOG_DIR": str(workdir / "catalog"), "TTHC_PII_KEY": pii_key,
            "TTHC_RATE_LIMIT_PER_MINUTE": "0", "TTHC_LOG_LEVEL": "DEBUG",
            # the tests name their own senders, all from one address
            "TTHC_CHAT_UNSIGNED_SENDERS": "true", "TTHC_CHAT_ADDRESS_PER_MINUTE": "0",
            "TTHC_UPDATES_ADDRESS_PER_MINUTE": "0"}


def add_staff(env: dict[str, str]) -> None:
    """Create the admin and support accounts with the ``tthc`` command."""
    for name, role in ((ADMIN, "admin"), (SUPPORT, "support")):
        subprocess.run([TTHC, "users", "add", name, "--role", role], input=PASSWORD + "\n",
                       env=env, text=True, check=True, capture_output=True, timeout=120)


def login(url: str, username: str) -> dict[str, str]:
    """Bearer headers of a staff member."""
    response = httpx.post(f"{url}/api/auth/login",
                          json={"username": username, "password": PASSWORD}, timeout=10)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_pii_key() -> str:
    """A fresh Fernet key for one test server."""
    return Fernet.generate_key().decode("ascii")


@contextmanager
def serve(env: dict[str, str], log: Path, ready: bool = False) -> Iterator[Server]:
    """Start the app on a free port with ``env`` (``ready``: wait for the index); stop after."""
    settings = AppSettings(_env_file=None, port=free_port(),
                           rasa_url=f"http://127.0.0.1:{free_port()}")
    full = stack_env(settings, env)
    full["TTHC_RASA_URL"] = settings.rasa_urls[0]
    child = start_app(settings, full, log)
    url = f"http://127.0.0.1:{settings.port}"
    try:
        check = app_ready if ready else app_up
        assert wait_for(lambda: check(url), child, 180), child.tail()
        yield Server(url, child, login(url, ADMIN), login(url, SUPPORT),
                     env["TTHC_DATABASE_URL"])
    finally:
        child.stop()


def post_all_at_once(requests: list[tuple[str, dict]]) -> list[httpx.Response]:
    """POST every (url, json) from its own thread, released together by a barrier.

    Each thread opens its connection first, so the requests leave within a
    millisecond or so of each other and the server handles them concurrently.
    """
    barrier = threading.Barrier(len(requests))

    def send(item: tuple[str, dict]) -> httpx.Response:
        url, body = item
        with httpx.Client(timeout=60) as client:
            client.get(url.rsplit("/api/", 1)[0] + "/health")  # connect before the barrier
            barrier.wait()
            return client.post(url, json=body)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def last_bookable_day(url: str) -> str:
    """A day far enough ahead that every slot of it is bookable whatever the time now."""
    days = httpx.get(f"{url}/api/appointments/days", params={"procedure": PROCEDURE},
                     timeout=10).json()["days"]
    assert len(days) >= 2, days
    return days[-1]


def slots_of(url: str, day: str) -> list[dict]:
    """The slots of ``day`` with their free places."""
    response = httpx.get(f"{url}/api/appointments/slots",
                         params={"procedure": PROCEDURE, "date": day}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["slots"]
