"""Tables of staff accounts, their sessions/tokens and recent failed logins.

They share the knowledge base's declarative ``Base`` and database. Only hashes
of passwords (argon2) and of session tokens (SHA-256) are stored, so a copy of
the database gives no usable credential.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from knowledge_base.db import Base, create_tables, utcnow

ROLE_ADMIN = "admin"
ROLE_SUPPORT = "support"
ROLES = (ROLE_ADMIN, ROLE_SUPPORT)


class UserRow(Base):
    """A staff member who can log in to the support or admin console."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuthSessionRow(Base):
    """A login: a console cookie session or an API bearer token (hash of the secret)."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginFailureRow(Base):
    """One failed login, keyed by client and by client+username, for rate limiting."""

    __tablename__ = "staff_login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def ensure_tables(engine: Engine) -> None:
    """Create the account tables if the database predates them (idempotent)."""
    create_tables(engine, [UserRow.__table__, AuthSessionRow.__table__,
                                             LoginFailureRow.__table__])
