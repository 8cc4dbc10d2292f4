"""Staff accounts: create, list, disable/enable, change password.

Used by the ``tthc users`` command and the admin API. Errors carry the key of
a staff-facing message so both can explain them in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from api.auth.models import ROLES, AuthSessionRow, UserRow, as_utc
from api.auth.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, password_problem

USERNAME_RE = re.compile(r"^[a-z0-9_.-]{2,64}$")


class AccountError(ValueError):
    """A refused account change; ``key`` names the message in ``messages.yml``."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class User:
    """A staff account as shown to admins (never with its password hash)."""

    id: int
    username: str
    role: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def from_row(cls, row: UserRow) -> User:
        """Copy the public fields of a row."""
        return cls(row.id, row.username, row.role, row.disabled, as_utc(row.created_at),
                   as_utc(row.last_login_at) if row.last_login_at else None)


def normalize_username(username: str) -> str:
    """Usernames are case-insensitive: compare and store them lowercased."""
    return (username or "").strip().lower()


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, min=MIN_LENGTH, max=MAX_LENGTH)


class UserService:
    """Account operations on the shared database."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions

    def add(self, username: str, role: str, password: str) -> User:
        """Create an account; the password is hashed with argon2id, never stored."""
        username = normalize_username(username)
        if not USERNAME_RE.match(username):
            raise AccountError("invalid_username")
        if role not in ROLES:
            raise AccountError("invalid_role")
        _check_password(password)
        with self.sessions.begin() as session:
            if session.scalar(select(UserRow.id).where(UserRow.username == username)):
                raise AccountError("user_exists", username=username)
            row = UserRow(username=username, role=role, password_hash=hash_password(password))
            session.add(row)
            session.flush()
            return User.from_row(row)

    def list(self) -> list[User]:
        """Return every account, by username."""
        with self.sessions() as session:
            return [User.from_row(row) for row in
                    session.scalars(select(UserRow).order_by(UserRow.username))]

    def get(self, username: str) -> User:
        """Return one account or raise ``AccountError(user_not_found)``."""
        with self.sessions() as session:
            return User.from_row(self._row(session, username))

    def set_disabled(self, username: str, disabled: bool) -> User:
        """Disable (or re-enable) an account; disabling ends its sessions at once."""
        with self.sessions.begin() as session:
            row = self._row(session, username)
            row.disabled = disabled
            if disabled:
                session.execute(delete(AuthSessionRow).where(AuthSessionRow.user_id == row.id))
            return User.from_row(row)

    def set_password(self, username: str, password: str) -> User:
        """Replace a password and end the account's sessions."""
        _check_password(password)
        with self.sessions.begin() as session:
            row = self._row(session, username)
            row.password_hash = hash_password(password)
            session.execute(delete(AuthSessionRow).where(AuthSessionRow.user_id == row.id))
            return User.from_row(row)

    @staticmethod
    def _row(session, username: str) -> UserRow:
        name = normalize_username(username)
        row = session.scalar(select(UserRow).where(UserRow.username == name))
        if row is None:
            raise AccountError("user_not_found", username=name)
        return row
