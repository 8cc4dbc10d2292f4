"""``make run``: start Rasa and the app, print the widget URL, stop both on Ctrl-C.

The Makefile has already created the venvs, imported the catalog, built the
index and trained the Rasa model if their inputs changed. The URL is printed as
soon as the app answers ``/health``; the launcher then reports when the search
index is loaded (questions wait for it) and when Rasa is up (until then the app
answers from the knowledge base, in degraded mode).
"""

from __future__ import annotations

import signal
import sys
import time
from functools import partial
from types import FrameType

from api.config import AppSettings
from ops.processes import (
    PROJECT_ROOT,
    Child,
    app_ready,
    app_up,
    model_path,
    rasa_ready,
    stack_env,
    start_app,
    start_rasa_servers,
    wait_for,
)

STARTUP_TIMEOUT = 300.0


class Stop(Exception):
    """Raised by the signal handler to leave the supervision loop."""


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def _say(text: str) -> None:
    print(text, flush=True)


def supervise(children: list[Child]) -> None:
    """Wait until a child dies (then fail) or a signal arrives."""
    while True:
        for child in children:
            if not child.alive():
                _say(f"{child.name} stopped unexpectedly; last lines of {child.log}:\n"
                     f"{child.tail()}")
                raise SystemExit(1)
        time.sleep(0.5)


def main() -> int:
    """Start everything and supervise it until Ctrl-C."""
    settings = AppSettings()
    if not model_path(settings).exists():
        _say(f"Rasa model missing at {model_path(settings)}; run `make run` (it trains it).")
        return 1
    logs = PROJECT_ROOT / "var" / "log"
    env = stack_env(settings)
    started = time.monotonic()
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    children: list[Child] = []
    try:
        app = start_app(settings, env, logs / "app.log")
        rasas = start_rasa_servers(settings, env, logs)
        children += [app, *rasas]
        base = f"http://{settings.host}:{settings.port}"
        if not wait_for(lambda: app_up(base), app, STARTUP_TIMEOUT):
            _say(f"the app did not start; see {app.log}")
            return 1
        _say(f"Trợ lý TTHC is up after {time.monotonic() - started:.1f} s: {settings.base_url}/"
             f"  (web widget; logs in {logs}; Ctrl-C stops everything)")
        if wait_for(lambda: app_ready(base), app, STARTUP_TIMEOUT):
            _say(f"search index loaded after {time.monotonic() - started:.1f} s")
        for url, rasa in zip(settings.rasa_urls, rasas):
            if wait_for(partial(rasa_ready, url), rasa, STARTUP_TIMEOUT):
                _say(f"{rasa.name} ready after {time.monotonic() - started:.1f} s ({url})")
        _say(f"all components up after {time.monotonic() - started:.1f} s")
        supervise(children)
    except Stop as stop:
        _say(f"stopping ({stop})…")
    except RuntimeError as error:
        _say(str(error))
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for child in reversed(children):
            child.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
