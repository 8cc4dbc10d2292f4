"""Logins, console sessions and bearer tokens, with rate-limited failures.

A login creates a random secret (the cookie value or the bearer token); only
its SHA-256 is stored. Cookie sessions also get a CSRF token that mutating
requests must echo in a header. Failed logins are counted in the database per
client address and per client+username, so the limit holds across replicas.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from api.auth.models import AuthSessionRow, LoginFailureRow, UserRow, as_utc
from api.auth.passwords import hash_password, needs_rehash, verify_password
from api.auth.users import normalize_username
from knowledge_base.db import utcnow

KIND_COOKIE = "cookie"
KIND_BEARER = "bearer"


@dataclass(frozen=True)
class AuthPolicy:
    """Lifetimes and limits; the app builds it from its settings (see ``from_settings``)."""

    session_ttl_hours: float = 12.0
    login_window_seconds: int = 900
    max_failures_per_user: int = 5
    max_failures_per_client: int = 30

    @classmethod
    def from_settings(cls, settings: object) -> AuthPolicy:
        """Read ``auth_*`` fields when the settings object defines them, else keep defaults."""
        values = {name: getattr(settings, f"auth_{name}") for name in cls.__dataclass_fields__
                  if hasattr(settings, f"auth_{name}")}
        return cls(**values)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, their role and how they authenticated."""

    user_id: int
    username: str
    role: str
    kind: str
    token_hash: str
    csrf_token: str


@dataclass(frozen=True)
class IssuedLogin:
    """A new session or token; ``token`` is shown once and never stored."""

    token: str
    principal: Principal
    expires_in: int


class LoginRefused(Exception):
    """A refused login: wrong credentials or too many failures (``retry_after`` seconds)."""

    def __init__(self, key: str, retry_after: int = 0) -> None:
        super().__init__(key)
        self.key = key
        self.retry_after = retry_after


def token_hash(token: str) -> str:
    """Store and look up tokens by hash, so the database holds no usable secret."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionService:
    """Log staff in and out and resolve their session cookies and tokens."""

    def __init__(self, sessions: sessionmaker, policy: AuthPolicy | None = None) -> None:
        self.sessions = sessions
        self.policy = policy or AuthPolicy()

    def login(self, username: str, password: str, client: str, kind: str) -> IssuedLogin:
        """Check credentials and open a session of ``kind`` (cookie or bearer)."""
        name = normalize_username(username)[:64]
        keys = (f"client:{client}", f"user:{client}|{name}")
        self._check_rate(keys)
        with self.sessions.begin() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == name))
            valid = verify_password(row.password_hash if row else None, password)
            if valid and row is not None and not row.disabled:
                return self._succeed(session, row, password, keys[1], kind)
            self._record_failure(session, keys)
        raise LoginRefused("bad_credentials")

    def _record_failure(self, session, keys: tuple[str, str]) -> None:
        """Count a failed login; records older than the window, which no limit reads, go."""
        since = utcnow() - timedelta(seconds=self.policy.login_window_seconds)
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < since))
        session.add_all(LoginFailureRow(key=key) for key in keys)

    def _succeed(self, session, row: UserRow, password: str, failure_key: str,
                 kind: str) -> IssuedLogin:
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == failure_key))
        if needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        row.last_login_at = utcnow()
        return self._open(session, row, kind)

    def _open(self, session, row: UserRow, kind: str) -> IssuedLogin:
        now = utcnow()
        session.execute(delete(AuthSessionRow).where(AuthSessionRow.expires_at < now))
        token = secrets.token_urlsafe(32)
        ttl = timedelta(hours=self.policy.session_ttl_hours)
        record = AuthSessionRow(token_hash=token_hash(token), user_id=row.id, kind=kind,
                                csrf_token=secrets.token_urlsafe(24), expires_at=now + ttl)
        session.add(record)
        principal = Principal(row.id, row.username, row.role, kind, record.token_hash,
                              record.csrf_token)
        return IssuedLogin(token, principal, int(ttl.total_seconds()))

    def _check_rate(self, keys: tuple[str, str]) -> None:
        window = timedelta(seconds=self.policy.login_window_seconds)
        since = utcnow() - window
        limits = (self.policy.max_failures_per_client, self.policy.max_failures_per_user)
        with self.sessions() as session:
            for key, limit in zip(keys, limits, strict=True):
                count, first = session.execute(
                    select(func.count(), func.min(LoginFailureRow.at))
                    .where(LoginFailureRow.key == key, LoginFailureRow.at > since)).one()
                if count >= limit:
                    wait = (as_utc(first) + window - utcnow()).total_seconds()
                    raise LoginRefused("rate_limited", retry_after=max(1, math.ceil(wait)))

    def resolve(self, token: str, kind: str) -> Principal | None:
        """Return the principal of a live ``kind`` session of an enabled user, else None."""
        if not token or len(token) > 128:
            return None
        digest = token_hash(token)
        with self.sessions() as session:
            found = session.execute(
                select(AuthSessionRow, UserRow).join(UserRow, UserRow.id == AuthSessionRow.user_id)
                .where(AuthSessionRow.token_hash == digest, AuthSessionRow.kind == kind)).first()
        if found is None:
            return None
        record, user = found
        if user.disabled or as_utc(record.expires_at) <= utcnow():
            return None
        return Principal(user.id, user.username, user.role, kind, digest, record.csrf_token)

    def revoke(self, principal: Principal) -> None:
        """End one session (logout)."""
        with self.sessions.begin() as session:
            session.execute(delete(AuthSessionRow)
                            .where(AuthSessionRow.token_hash == principal.token_hash))
