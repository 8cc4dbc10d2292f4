"""The real app served by uvicorn on a free 127.0.0.1 port, for tests that need real HTTP.

Rasa points at a port where nothing listens (answers come from degraded mode),
the database is a private copy of the session knowledge base, and the app's
log records go to a file the test can grep, as ``var/log/app.log`` would.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from api.config import AppSettings
from api.main import create_app
from ops.processes import free_port


class LiveApp:
    """One app served by uvicorn in a thread."""

    def __init__(self, settings: AppSettings, log_file: Path) -> None:
        self.settings = settings
        self.log_file = log_file
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=settings.port,
                                log_level="warning", lifespan="on",
                                proxy_headers=False)  # as the launcher runs uvicorn
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.handler = logging.FileHandler(log_file, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    def start(self) -> LiveApp:
        root = logging.getLogger()
        root.addHandler(self.handler)
        root.setLevel(logging.DEBUG)
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("app did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
        logging.getLogger().removeHandler(self.handler)
        self.handler.close()

    def log_text(self) -> str:
        self.handler.flush()
        return self.log_file.read_text(encoding="utf-8", errors="replace")


def live_settings(database_url: str, kb_workdir: Path, **overrides: Any) -> AppSettings:
    """Settings of a private app: Rasa unreachable, the session index, a free port."""
    values: dict[str, Any] = {
        "database_url": database_url, "index_dir": kb_workdir / "index",
        "catalog_dir": kb_workdir / "catalog", "rasa_url": f"http://127.0.0.1:{free_port()}",
        "port": free_port(), "log_level": "DEBUG"}
    values.update(overrides)
    return AppSettings(_env_file=None, **values)


@contextmanager
def live_app(database_url: str, kb_workdir: Path, log_file: Path,
             **overrides: Any) -> Iterator[LiveApp]:
    """Start the app, yield it, stop it."""
    server = LiveApp(live_settings(database_url, kb_workdir, **overrides), log_file).start()
    try:
        yield server
    finally:
        server.stop()
