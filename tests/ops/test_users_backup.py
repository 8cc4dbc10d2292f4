"""``tthc users export`` / ``restore``: a round trip, without password hashes unless asked."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlalchemy import select

from api.auth.models import UserRow
from api.auth.passwords import verify_password
from knowledge_base.db import create_db_engine, session_factory
from tests.conftest import PROJECT_ROOT, TTHC

PASSWORD = "backup test passphrase"


def tthc(database: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTHC_")}
    env["TTHC_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run([TTHC, *args], input=stdin, env=env, capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120, check=True)


def accounts(database: Path) -> dict[str, UserRow]:
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        with session_factory(engine)() as session:
            return {row.username: row for row in session.scalars(select(UserRow))}
    finally:
        engine.dispose()


def test_users_round_trip_without_and_with_hashes(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    tthc(source, "users", "add", "an.admin", "--role", "admin", stdin=PASSWORD + "\n")
    tthc(source, "users", "add", "mot.cuasupport", "--role", "support", stdin=PASSWORD + "\n")
    tthc(source, "users", "disable", "mot.cuasupport")

    plain = tmp_path / "users.json"
    tthc(source, "users", "export", str(plain))
    text = plain.read_text(encoding="utf-8")
    assert "argon2" not in text and "password_hash" not in text
    assert {u["username"] for u in json.loads(text)["users"]} == {"an.admin", "mot.cuasupport"}

    restored = tmp_path / "restored.db"
    tthc(restored, "users", "restore", str(plain))
    rows = accounts(restored)
    assert rows["an.admin"].role == "admin" and not rows["an.admin"].disabled
    assert rows["mot.cuasupport"].role == "support" and rows["mot.cuasupport"].disabled
    assert not verify_password(rows["an.admin"].password_hash, PASSWORD)  # must be set anew

    full = tmp_path / "users-with-hashes.json"
    tthc(source, "users", "export", str(full), "--with-password-hashes")
    assert "argon2" in full.read_text(encoding="utf-8")
    tthc(restored, "users", "restore", str(full))  # updates the existing accounts
    assert verify_password(accounts(restored)["an.admin"].password_hash, PASSWORD)
