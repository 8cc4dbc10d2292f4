"""`tthc users`: add (password from stdin), list, disable/enable, passwd; never shows passwords."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import PROJECT_ROOT, TTHC

PASSWORD = "a long enough password"


def tthc(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTHC_")}
    env["TTHC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'users.db'}"
    return subprocess.run([TTHC, "users", *args], input=stdin, env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_users_commands(tmp_path: Path):
    added = tthc(tmp_path, "add", "Lan.Nguyen", "--role", "admin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "created admin account lan.nguyen" in added.stderr
    again = tthc(tmp_path, "add", "lan.nguyen", stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "đã có" in again.stderr
    short = tthc(tmp_path, "add", "hoa", stdin="short\n")
    assert short.returncode == 1 and "ít nhất 10 ký tự" in short.stderr
    bad_role = tthc(tmp_path, "add", "hoa", "--role", "root", stdin=PASSWORD + "\n")
    assert bad_role.returncode == 1 and "admin hoặc support" in bad_role.stderr
    assert tthc(tmp_path, "disable", "lan.nguyen").returncode == 0
    listed = tthc(tmp_path, "list")
    assert "lan.nguyen" in listed.stdout and "disabled" in listed.stdout
    assert tthc(tmp_path, "enable", "lan.nguyen").returncode == 0
    assert "active" in tthc(tmp_path, "list").stdout
    assert tthc(tmp_path, "passwd", "lan.nguyen", stdin="another long password\n").returncode == 0
    assert tthc(tmp_path, "disable", "nobody").returncode == 1
    for result in (added, listed):
        assert PASSWORD not in result.stdout + result.stderr
