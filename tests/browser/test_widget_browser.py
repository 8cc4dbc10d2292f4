"""The web widget in real headless Chromium against the real app.

The app is started the way ``make run`` starts it (``ops.processes.start_app``: uvicorn
on the app factory) on a free port, with the session's real knowledge base. Rasa is not
started here: the app answers in degraded mode from the knowledge base, which drives the
same widget paths. Chromium is Debian's (``make browser-deps``), driven by playwright-core.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ops.processes import free_port
from tests.browser.node_script import run_browser_script
from tests.conftest import copy_database, kb_env

STARTUP_TIMEOUT_S = 180

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free port, with its own copy of the session database."""
    from api.config import AppSettings
    from ops.processes import app_ready, start_app, wait_for

    workdir = tmp_path_factory.mktemp("widget_app")
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    env = kb_env(kb_workdir)
    env.update({
        "TTHC_DATABASE_URL": f"sqlite:///{workdir / 'kb.db'}",
        "TTHC_HOST": "127.0.0.1",
        "TTHC_PORT": str(free_port()),
        "TTHC_RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: degraded mode
        "TTHC_RASA_TRACKER_DB": str(workdir / "tracker.db"),
        "TTHC_CHAT_UNSIGNED_SENDERS": "false",  # the widget gets server-issued ids, as deployed
        "PYTHONUNBUFFERED": "1",
    })
    settings = AppSettings(_env_file=None, **{k[5:].lower(): v for k, v in env.items()
                                              if k.startswith("TTHC_")})
    app = start_app(settings, env, workdir / "app.log")
    try:
        if not wait_for(lambda: app_ready(settings.base_url), app, STARTUP_TIMEOUT_S):
            pytest.fail(f"app not ready after {STARTUP_TIMEOUT_S}s:\n{app.tail()}")
        yield settings.base_url
    finally:
        app.stop()


def test_widget_assets_are_served_with_types_and_cache_headers(app_url: str) -> None:
    page = httpx.get(f"{app_url}/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert page.text.count("<script") == 1 and '<script src="/widget.js"' in page.text

    script = httpx.get(f"{app_url}/widget.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age" in script.headers["cache-control"]
    again = httpx.get(f"{app_url}/widget.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304

    styles = httpx.get(f"{app_url}/widget.css")
    assert styles.headers["content-type"].startswith("text/css")
    assert httpx.get(f"{app_url}/static/..%2F..%2Fpyproject.toml").status_code == 404


def test_widget_in_headless_chromium(app_url: str) -> None:
    run_browser_script("widget.test.mjs", app_url)
