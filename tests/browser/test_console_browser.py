"""The staff consoles and the citizen widget together, in real headless Chromium.

The real app (uvicorn on ``create_app``) runs on a free port over a copy of the
session's knowledge base, in degraded mode (no Rasa). Staff accounts are made
with the `tthc users add` command, passwords piped on stdin. Then an admin adds
an FAQ entry that the widget answers within 5 s, a support officer claims a
handed-off conversation and sends a suggested answer that the widget shows, and
the analytics charts render with data.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.node_script import run_browser_script
from tests.conftest import PROJECT_ROOT, TTHC, copy_database, kb_env

STARTUP_TIMEOUT_S = 180
ADMIN, SUPPORT, PASSWORD = "browser.admin", "browser.support", "browser test password"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200 and "ready" in response.text:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"app not up after {STARTUP_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def console_app(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("console_app")
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    port = _free_port()
    env = kb_env(kb_workdir)
    env.update({"TTHC_DATABASE_URL": f"sqlite:///{workdir / 'kb.db'}", "TTHC_PORT": str(port),
                "TTHC_HOST": "127.0.0.1", "TTHC_RASA_URL": f"http://127.0.0.1:{_free_port()}"})
    for name, role in ((ADMIN, "admin"), (SUPPORT, "support")):
        subprocess.run([TTHC, "users", "add", name, "--role", role], input=PASSWORD + "\n",
                       env=env, cwd=PROJECT_ROOT, check=True, capture_output=True, text=True,
                       timeout=120)
    log = workdir / "app.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(f"{url}/health", proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        assert PASSWORD not in log.read_text(), "a password reached the app log"


def test_consoles_in_headless_chromium(console_app: str) -> None:
    run_browser_script("console.test.mjs", console_app, TTHC_ADMIN=ADMIN, TTHC_SUPPORT=SUPPORT,
                       TTHC_PASSWORD=PASSWORD)
