"""A throwaway Redis server for the scale tests: Debian's ``redis-server``, a tmp dir, a free port.

Append-only file on (``appendfsync always``), like a deployment that must not lose
an acknowledged Zalo event; listens on 127.0.0.1 only, no snapshots.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ops.processes import free_port

REDIS_SERVER = shutil.which("redis-server")


@dataclass
class RedisServer:
    """One running server; ``url`` is what ``TTHC_REDIS_URL`` takes."""

    root: Path
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls, timeout: float = 20.0) -> RedisServer:
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is not installed (make scale-deps)")
        root = Path(tempfile.mkdtemp(prefix="tthc-redis-"))
        port = free_port()
        log = (root / "server.log").open("w")
        process = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(root),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--protected-mode", "yes"], stdout=log, stderr=subprocess.STDOUT)
        server = cls(root, port, process)
        deadline = time.monotonic() + timeout
        while not server.ping():
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"redis-server did not start:\n{server.log_tail()}")
            time.sleep(0.05)
        return server

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return (self.root / "server.log").read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.root, ignore_errors=True)
