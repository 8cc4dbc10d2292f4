"""Start and stop the two server processes (Rasa, the app).

Shared by the launcher, the benchmark and the end-to-end tests so they all run
the stack the same way.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from urllib.parse import urlparse

import httpx
from sqlalchemy.engine import make_url

from api.config import AppSettings
from api.hardening import restrict_sqlite_files

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL_NAME = "tthc.tar.gz"


@dataclass
class Child:
    """A started server process and where its output goes."""

    name: str
    process: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        """Whether the process still runs."""
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds (the whole process group)."""
        if not self.alive():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=5)

    def tail(self, chars: int = 3000) -> str:
        """The end of the process's log, for error messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def stack_env(settings: AppSettings, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for both processes: the endpoints file reads TTHC_PORT and the tracker path."""
    env = dict(os.environ)
    env.update({
        "TTHC_HOST": settings.host,
        "TTHC_PORT": str(settings.port),
        "TTHC_RASA_URL": ",".join(settings.rasa_urls),
        "TTHC_RASA_TRACKER_URL": settings.rasa_tracker_store_url,
        "TTHC_REDIS_URL": settings.redis_url,  # Rasa's lock store (bot/components/lock_store.py)
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    })
    configured = {"TTHC_RASA_TOKEN": settings.rasa_token,
                  "TTHC_ACTION_TOKEN": settings.action_token}
    for name, value in _stack_tokens().items():  # the same pair for every child of a launcher
        token = configured[name]
        env[name] = token.get_secret_value() if token else env.get(name) or value
    env.update(extra or {})
    return env


@lru_cache(maxsize=1)
def _stack_tokens() -> dict[str, str]:
    """Random tokens made once per launching process: Rasa's HTTP API and the action endpoint.

    Every stack this process starts (the launcher's, a test's, several replicas)
    gets the same pair unless the settings or the environment name their own.
    """
    return {"TTHC_RASA_TOKEN": secrets.token_urlsafe(32),
            "TTHC_ACTION_TOKEN": secrets.token_urlsafe(32)}


def rasa_token(env: dict[str, str] | None = None) -> str:
    """The token of Rasa's HTTP API in ``env`` (default: this process's stacks)."""
    return (env or os.environ).get("TTHC_RASA_TOKEN") or _stack_tokens()["TTHC_RASA_TOKEN"]


def rasa_env(env: dict[str, str]) -> dict[str, str]:
    """Rasa's environment: no telemetry, and the project root importable for its log config."""
    path = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": path}


def model_path(settings: AppSettings) -> Path:
    """The trained Rasa model ``make train`` writes."""
    return settings.bot_path / "models" / MODEL_NAME


def prepare_tracker_store(settings: AppSettings) -> None:
    """Create the directory of Rasa's SQLite tracker file (its store sets WAL on connect)."""
    url = make_url(settings.rasa_tracker_store_url)
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(url.database, os.O_WRONLY | os.O_CREAT, 0o600))  # an empty file is
        restrict_sqlite_files(str(url))  # a valid database; citizens' texts: owner-only


def start_rasa_servers(settings: AppSettings, env: dict[str, str], log_dir: Path,
                       model: Path | None = None) -> list[Child]:
    """One ``rasa run`` per URL of ``settings.rasa_urls`` (logs ``rasa.log``, ``rasa-2.log``…)."""
    return [start_rasa(settings, env, log_dir / ("rasa.log" if i == 0 else f"rasa-{i + 1}.log"),
                       model, url, name="rasa" if i == 0 else f"rasa-{i + 1}")
            for i, url in enumerate(settings.rasa_urls)]


def start_rasa(settings: AppSettings, env: dict[str, str], log: Path,
               model: Path | None = None, rasa_url: str | None = None,
               name: str = "rasa") -> Child:
    """``rasa run`` on the host/port of ``rasa_url`` (default: the first server)."""
    url = urlparse(rasa_url or settings.rasa_urls[0])
    prepare_tracker_store(settings)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = rasa_command(url.hostname or "127.0.0.1", url.port or 5005,
                           model or model_path(settings), rasa_token(env))
    return _spawn(name, command, settings.bot_path, rasa_env(env), log)


def rasa_command(host: str, port: int, model: Path, token: str) -> list[str]:
    """The ``rasa run`` command line.

    The token is glued to its option: a random one may start with "-" (1 in 64 of
    ``token_urlsafe``), which ``rasa run --auth-token -x…`` takes for another option.
    """
    return [str(RASA_BIN), "run", "--enable-api", "-i", host, "-p", str(port),
            "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
            "-m", str(model),
            f"--auth-token={token}",  # the HTTP API holds citizens' trackers
            "--logging-config-file", "logging.yml"]  # masks records, never quotes messages


def start_app(settings: AppSettings, env: dict[str, str], log: Path) -> Child:
    """Uvicorn on the app factory, the way production runs it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
               "--host", settings.host, "--port", str(settings.port), "--no-access-log",
               "--no-proxy-headers"]  # X-Forwarded-For only from TTHC_TRUSTED_PROXIES
    return _spawn("app", command, PROJECT_ROOT, env, log)


def _spawn(name: str, command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Child:
    # logs, databases and key files the servers create are the owner's only (umask 077)
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(log, 0o600)
    with os.fdopen(descriptor, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, umask=0o077,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return Child(name, process, log)


def wait_for(check, child: Child, timeout: float, interval: float = 0.25) -> bool:
    """Poll ``check()`` until true; False on timeout; RuntimeError if ``child`` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited ({child.process.returncode}):\n"
                               f"{child.tail()}")
        try:
            if check():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(interval)
    return False


def app_up(base_url: str) -> bool:
    """The app answers ``/health`` (its index may still be loading)."""
    return httpx.get(f"{base_url}/health", timeout=3).status_code == 200


def app_ready(base_url: str) -> bool:
    """The app answers and its search index is loaded."""
    health = httpx.get(f"{base_url}/health", timeout=3).json()
    return health.get("index") == "ready"


def rasa_ready(rasa_url: str, token: str | None = None) -> bool:
    """Rasa answers and has a model loaded (its ``/status`` needs the API token)."""
    response = httpx.get(f"{rasa_url}/status", params={"token": token or rasa_token()},
                         timeout=3)
    return response.status_code == 200 and bool(response.json().get("model_file"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``), to report cost per message."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_private_stack(base: AppSettings, workdir: Path, rasa_processes: int = 1,
                        extra_env: dict[str, str] | None = None,
                        ) -> tuple[AppSettings, Child, list[Child]]:
    """Start a throwaway stack (benchmarks, load tests) on free ports: settings, app, Rasa servers.

    It works on a copy of the database, taken with SQLite's backup API so a
    running ``make run`` is not disturbed, and on its own tracker store; the
    index in service is shared read-only. The turn log of real citizens stays untouched.
    """
    url = make_url(base.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SystemExit(f"a throwaway stack copies a SQLite database; not {url.drivername}")
    database = base.resolve(Path(url.database))
    if not database.exists():
        raise SystemExit(f"no database at {database}: run `make run` (it imports the catalog)")
    copy = workdir / "tthc.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as source, \
            sqlite3.connect(copy) as target:
        source.backup(target)
    settings = base.model_copy(update={
        "database_url": f"sqlite:///{copy}", "port": free_port(), "rasa_processes": 1,
        "redis_url": "",  # never join the real deployment's queues and rate limits
        "rasa_url": ",".join(f"http://127.0.0.1:{free_port()}" for _ in range(rasa_processes)),
        "rasa_tracker_db": workdir / "tracker.db", "rasa_tracker_url": "",
        "index_dir": base.index_path})
    env = stack_env(settings, {"TTHC_DATABASE_URL": settings.database_url,
                               # its clients name their senders, all from one address
                               "TTHC_CHAT_UNSIGNED_SENDERS": "true",
                               "TTHC_CHAT_ADDRESS_PER_MINUTE": "0",
                               "TTHC_UPDATES_ADDRESS_PER_MINUTE": "0",
                               "TTHC_INDEX_DIR": str(base.index_path), "TTHC_REDIS_URL": "",
                               **(extra_env or {})})
    rasas = start_rasa_servers(settings, env, workdir, model_path(base))
    return settings, start_app(settings, env, workdir / "app.log"), rasas


def wait_until_ready(settings: AppSettings, app: Child, rasas: list[Child],
                     timeout: float) -> bool:
    """The app's index is loaded and every Rasa server has its model."""
    base = f"http://127.0.0.1:{settings.port}"
    return wait_for(lambda: app_ready(base), app, timeout) and all(
        wait_for(partial(rasa_ready, url), rasa, timeout)
        for url, rasa in zip(settings.rasa_urls, rasas))
