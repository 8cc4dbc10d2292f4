"""Durable OA tokens with serialized, atomic rotation of the single-use refresh token.

One row holds the access token, the refresh token and the expiry. A refresh
first claims the row with a compare-and-swap (``version`` unchanged and no live
claim), so of several workers or processes only one spends the refresh token;
the others wait for the new ``version`` and use its access token. The new pair
is written in one UPDATE guarded by the same version, so the old refresh token
is never used twice and never half-replaced.

Both tokens are stored encrypted (``enc1:`` + Fernet, the personal-data keys of
:mod:`api.pii`), so a copy of the database does not hand out the OA. Rows an
older version stored in plain text are still read, and encrypted at the next write.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import or_, update
from sqlalchemy.orm import sessionmaker

from api.channels.zalo.client import TokenGrant, ZaloApiError
from api.channels.zalo.models import ZaloTokenRow
from api.channels.zalo.queue import as_utc, insert_ignoring_duplicates
from knowledge_base.db import utcnow

log = logging.getLogger(__name__)
ROW_ID = 1
CLAIM_SECONDS = 120.0
REFUSED_PAUSE = 60.0  # after Zalo refuses a refresh, don't ask again for every message
SEALED = "enc1:"
T = TypeVar("T")


@dataclass(frozen=True)
class Tokens:
    """A snapshot of the token row."""

    access_token: str
    refresh_token: str
    expires_at: datetime | None
    version: int


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


class TokenCipher:
    """Encrypts tokens for the database; without a key they are stored as they are."""

    def __init__(self, cipher: MultiFernet | None) -> None:
        self.cipher = cipher

    def seal(self, value: str) -> str:
        """The stored form of a token."""
        if not value or self.cipher is None:
            return value
        return SEALED + self.cipher.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        """The token of a stored value ("" when its key is gone: re-authorise the OA)."""
        if not stored.startswith(SEALED):
            return stored
        if self.cipher is None:
            log.error("zalo tokens are encrypted but no key is configured (TTHC_PII_KEY)")
            return ""
        try:
            return self.cipher.decrypt(stored[len(SEALED):].encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            log.error("zalo tokens cannot be decrypted (key changed); re-authorise the OA")
            return ""


class TokenStore:
    """Access token for sending; refreshes before expiry and when Zalo rejects it."""

    def __init__(self, sessions: sessionmaker, holder: str, refresher: Callable[[str],
                 Awaitable[TokenGrant]], margin_seconds: float, wait_seconds: float,
                 executor: Executor | None = None, cipher: MultiFernet | None = None) -> None:
        self._sessions = sessions
        self._cipher = TokenCipher(cipher)
        self._holder = holder
        self._refresher = refresher
        self._margin = timedelta(seconds=margin_seconds)
        self._wait = wait_seconds
        self._executor = executor
        self._lock = asyncio.Lock()
        self._refused_until = 0.0
        self._refused: ZaloApiError | None = None
        self.refreshes = 0

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(function, *args))

    # --- synchronous database operations ----------------------------------
    def seed(self, access_token: str, refresh_token: str) -> None:
        """Store the configured initial tokens, unless the database already rotated them.

        New tokens in the settings (a fresh authorisation) replace the stored ones.
        """
        seed_hash = _hash(f"{access_token}\n{refresh_token}")
        with self._sessions.begin() as session:
            inserted = insert_ignoring_duplicates(session, ZaloTokenRow.__table__, {
                "id": ROW_ID, "access_token": self._cipher.seal(access_token),
                "refresh_token": self._cipher.seal(refresh_token),
                "expires_at": None, "version": 1, "seed_hash": seed_hash,
                "updated_at": utcnow()}, "id")
            row = session.get(ZaloTokenRow, ROW_ID)
            if not inserted and seed_hash and row.seed_hash != seed_hash:
                log.info("zalo tokens: new tokens in the settings replace the stored ones")
                row.access_token = self._cipher.seal(access_token)
                row.refresh_token = self._cipher.seal(refresh_token)
                row.expires_at, row.seed_hash = None, seed_hash
                row.version, row.updated_at = row.version + 1, utcnow()

    def read(self) -> Tokens:
        """Return the stored tokens (empty before seeding)."""
        with self._sessions() as session:
            row = session.get(ZaloTokenRow, ROW_ID)
            if row is None:
                return Tokens("", "", None, 0)
            return Tokens(self._cipher.open(row.access_token),
                          self._cipher.open(row.refresh_token), as_utc(row.expires_at),
                          row.version)

    def _claim(self, version: int) -> bool:
        now = utcnow()
        with self._sessions.begin() as session:
            result = session.execute(
                update(ZaloTokenRow)
                .where(ZaloTokenRow.id == ROW_ID, ZaloTokenRow.version == version,
                       or_(ZaloTokenRow.refreshing_until.is_(None),
                           ZaloTokenRow.refreshing_until < now))
                .values(refreshing_by=self._holder,
                        refreshing_until=now + timedelta(seconds=CLAIM_SECONDS)))
            return result.rowcount == 1

    def _store(self, version: int | None, grant: TokenGrant) -> bool:
        """Write the new pair if this worker still holds the claim (``None``: unconditionally)."""
        expires_at = (utcnow() + timedelta(seconds=grant.expires_in)
                      if grant.expires_in else None)
        guard = [ZaloTokenRow.id == ROW_ID]
        if version is not None:
            guard += [ZaloTokenRow.version == version, ZaloTokenRow.refreshing_by == self._holder]
        with self._sessions.begin() as session:
            result = session.execute(
                update(ZaloTokenRow).where(*guard)
                .values(access_token=self._cipher.seal(grant.access_token),
                        refresh_token=self._cipher.seal(grant.refresh_token),
                        expires_at=expires_at, version=ZaloTokenRow.version + 1,
                        refreshing_by=None, refreshing_until=None, updated_at=utcnow()))
            return result.rowcount == 1

    def _unclaim(self, version: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(ZaloTokenRow)
                            .where(ZaloTokenRow.id == ROW_ID, ZaloTokenRow.version == version,
                                   ZaloTokenRow.refreshing_by == self._holder)
                            .values(refreshing_by=None, refreshing_until=None))

    # --- asynchronous API --------------------------------------------------
    def _expiring(self, tokens: Tokens) -> bool:
        return tokens.expires_at is not None and utcnow() >= tokens.expires_at - self._margin

    async def access_token(self) -> str:
        """Return the current access token, refreshed first if it is about to expire."""
        tokens = await self._db(self.read)
        if self._expiring(tokens) and tokens.refresh_token:
            return await self.refresh(None)
        if not tokens.access_token and tokens.refresh_token:
            return await self.refresh(None)
        return tokens.access_token

    async def refresh(self, rejected: str | None) -> str:
        """Refresh once; ``rejected`` is the token Zalo refused (None: refresh if expiring).

        If another worker already replaced ``rejected`` (or is replacing it), its
        new token is used and no second refresh happens.

        Raises:
            ZaloApiError: the refresh failed; a re-authorisation may be needed.

        """
        async with self._lock:
            deadline = time.monotonic() + self._wait
            while True:
                tokens = await self._db(self.read)
                if rejected is not None and tokens.access_token != rejected:
                    return tokens.access_token
                if rejected is None and tokens.access_token and not self._expiring(tokens):
                    return tokens.access_token
                if not tokens.refresh_token:
                    raise ZaloApiError(0, "no refresh token stored; re-authorise the OA")
                if await self._db(self._claim, tokens.version):
                    return await self._rotate(tokens)
                if time.monotonic() > deadline:
                    raise ZaloApiError(0, "timed out waiting for another token refresh",
                                       retryable=True)
                await asyncio.sleep(0.1)

    async def _rotate(self, tokens: Tokens) -> str:
        if self._refused is not None and time.monotonic() < self._refused_until:
            await self._db(self._unclaim, tokens.version)
            raise self._refused
        try:
            grant = await self._refresher(tokens.refresh_token)
        except ZaloApiError as exc:
            await self._db(self._unclaim, tokens.version)
            if not exc.retryable:
                log.error("zalo tokens: refresh refused (code %d); the OA may need to be "
                          "re-authorised", exc.code)
                self._refused, self._refused_until = exc, time.monotonic() + REFUSED_PAUSE
            raise
        except BaseException:
            await self._db(self._unclaim, tokens.version)
            raise
        self._refused = None
        if not await self._db(self._store, tokens.version, grant):
            # The claim lapsed, but the old refresh token is spent: this pair is the valid one.
            log.error("zalo tokens: claim lapsed during refresh; storing the new pair anyway")
            await self._db(self._store, None, grant)
        self.refreshes += 1
        log.info("zalo tokens: refreshed (version %d)", tokens.version + 1)
        return grant.access_token
