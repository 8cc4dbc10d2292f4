"""Staff accounts in the knowledge-base backup: ``tthc users export`` / ``tthc users restore``.

Why separate from ``tthc kb export``: accounts are the consoles' data. Password hashes
are left out unless asked for (``--with-password-hashes``), so a backup file handed
around does not carry offline-crackable secrets; accounts restored without a hash get
an unusable one and must be given a password with ``tthc users passwd``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from api.auth.models import ROLES, UserRow

KIND, VERSION = "tthc-staff-users", 1
NO_PASSWORD = "!restored-without-password"  # not an argon2 hash: never verifies


def export_users(sessions: sessionmaker, with_hashes: bool = False) -> dict[str, Any]:
    """All accounts as a JSON-ready document (hashes only when ``with_hashes``)."""
    with sessions() as session:
        rows = session.scalars(select(UserRow).order_by(UserRow.username))
        users = []
        for row in rows:
            item = {"username": row.username, "role": row.role, "disabled": row.disabled,
                    "created_at": row.created_at.isoformat() if row.created_at else None}
            if with_hashes:
                item["password_hash"] = row.password_hash
            users.append(item)
    return {"kind": KIND, "version": VERSION, "users": users}


def restore_users(sessions: sessionmaker, document: dict[str, Any]) -> dict[str, int]:
    """Create missing accounts and update role/disabled (and hash, if given) of existing ones."""
    if document.get("kind") != KIND or document.get("version") != VERSION:
        raise ValueError("not a staff users backup (kind/version)")
    counts = {"created": 0, "updated": 0}
    with sessions.begin() as session:
        for item in document.get("users", []):
            if item.get("role") not in ROLES or not item.get("username"):
                raise ValueError(f"invalid account entry: {item.get('username')!r}")
            row = session.scalar(select(UserRow).where(UserRow.username == item["username"]))
            if row is None:
                row = UserRow(username=item["username"], password_hash=NO_PASSWORD)
                session.add(row)
                counts["created"] += 1
            else:
                counts["updated"] += 1
            row.role, row.disabled = item["role"], bool(item.get("disabled", False))
            if item.get("password_hash"):
                row.password_hash = item["password_hash"]
    return counts
