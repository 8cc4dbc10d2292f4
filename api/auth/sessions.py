"""Logins, console sessions and bearer tokens, with rate-limited failures.

A login creates a random secret (the cookie value or the bearer token); only
its SHA-256 is stored. Cookie sessions also get a CSRF token that mutating
requests must echo in a header. Failed logins are counted in the database, so
the limits hold across replicas, three ways:

- per account, whatever the address: after ``max_failures_per_account`` failures
  each further try waits twice as long as the one before (``account_backoff_seconds``,
  2 s, 4 s, 8 s…, at most the window), so guessing one password from many
  addresses gains nothing;
- per address and username, as before (``max_failures_per_user``);
- per address: over ``max_failures_per_client`` the address's *failed* logins are
  answered 429, but a right password still gets in, so random usernames tried from
  an office's shared address lock no real user out (and 429 for existing and
  unknown names alike tells nothing about which accounts exist).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

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
    """Lifetimes and limits of staff sessions and logins (the defaults are the policy)."""

    session_ttl_hours: float = 12.0
    login_window_seconds: int = 900
    max_failures_per_user: int = 5
    max_failures_per_client: int = 30
    max_failures_per_account: int = 5
    account_backoff_seconds: float = 2.0


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
        keys = (f"client:{client}", f"user:{client}|{name}", f"account:{name}")
        self._check_rate(keys[1], self.policy.max_failures_per_user)
        self._check_backoff(keys[2])
        address_over = self._wait(keys[0], self.policy.max_failures_per_client)
        with self.sessions.begin() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == name))
            valid = verify_password(row.password_hash if row else None, password)
            if valid and row is not None and not row.disabled:
                return self._succeed(session, row, password, keys[1:], kind)
            self._record_failure(session, keys)
        if address_over:
            raise LoginRefused("rate_limited", retry_after=address_over)
        raise LoginRefused("bad_credentials")

    def _record_failure(self, session, keys: tuple[str, ...]) -> None:
        """Count a failed login; records older than the window, which no limit reads, go."""
        since = utcnow() - timedelta(seconds=self.policy.login_window_seconds)
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < since))
        session.add_all(LoginFailureRow(key=key) for key in keys)

    def _succeed(self, session, row: UserRow, password: str, failure_keys: tuple[str, ...],
                 kind: str) -> IssuedLogin:
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key.in_(failure_keys)))
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

    def _failures(self, key: str) -> tuple[int, datetime | None, datetime | None]:
        """Failures of ``key`` inside the window: count, first and last time."""
        since = utcnow() - timedelta(seconds=self.policy.login_window_seconds)
        with self.sessions() as session:
            count, first, last = session.execute(
                select(func.count(), func.min(LoginFailureRow.at), func.max(LoginFailureRow.at))
                .where(LoginFailureRow.key == key, LoginFailureRow.at > since)).one()
        return int(count), as_utc(first) if first else None, as_utc(last) if last else None

    def _wait(self, key: str, limit: int) -> int:
        """Seconds until ``key`` drops under ``limit`` failures in the window (0: under it)."""
        count, first, _ = self._failures(key)
        if count < limit or first is None:
            return 0
        window = timedelta(seconds=self.policy.login_window_seconds)
        return max(1, math.ceil((first + window - utcnow()).total_seconds()))

    def _check_rate(self, key: str, limit: int) -> None:
        if wait := self._wait(key, limit):
            raise LoginRefused("rate_limited", retry_after=wait)

    def _check_backoff(self, key: str) -> None:
        """Refuse (without checking the password) until the account's back-off has passed."""
        count, _, last = self._failures(key)
        over = count - self.policy.max_failures_per_account
        if over < 0 or last is None:
            return
        delay = min(self.policy.account_backoff_seconds * 2 ** min(over, 30),
                    float(self.policy.login_window_seconds))
        wait = (last + timedelta(seconds=delay) - utcnow()).total_seconds()
        if wait > 0:
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
