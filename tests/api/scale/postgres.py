"""A throwaway PostgreSQL server for the scale tests: Debian's binaries, a tmp dir, a free port.

PostgreSQL refuses to run as root, so under root the cluster is created and run as
the ``postgres`` system user (``runuser``) in a directory that user owns. Trust
authentication on 127.0.0.1 only; ``fsync=off`` because the data is thrown away.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ops.processes import free_port


def pg_bin(name: str) -> str | None:
    """Path of a PostgreSQL server binary (not on PATH in Debian's layout)."""
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


@dataclass
class Postgres:
    """One running cluster; ``url`` is the SQLAlchemy URL of database ``tthc``."""

    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://tthc@127.0.0.1:{self.port}/tthc"

    @staticmethod
    def _as_owner(command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    @classmethod
    def start(cls) -> Postgres:
        root = Path(tempfile.mkdtemp(prefix="tthc-pg-"))
        root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        server = cls(root, free_port())
        data = root / "data"
        run = lambda cmd: subprocess.run(cls._as_owner(cmd), check=True,  # noqa: E731
                                         capture_output=True, text=True, timeout=120)
        run([pg_bin("initdb"), "-D", str(data), "-U", "tthc", "--auth=trust", "-E", "UTF8",
             "--no-locale"])
        options = (f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        run([pg_bin("pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-o", options,
             "-w", "start"])
        run([pg_bin("createdb") or "createdb", "-h", "127.0.0.1", "-p", str(server.port),
             "-U", "tthc", "tthc"])
        return server

    def stop(self) -> None:
        subprocess.run(self._as_owner([pg_bin("pg_ctl"), "-D", str(self.root / "data"), "-m",
                                       "immediate", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
