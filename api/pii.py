"""Encrypted, short-lived originals of citizen messages that contained personal data.

Turns are stored masked (:mod:`api.masking`) and kept for analytics, but staff
answering a handed-off conversation need the phone or CCCD number the citizen
typed to call them back. So when masking changed a message, the original is
kept encrypted (Fernet: AES-CBC + HMAC) in its own table, shown only in the
support console's opened conversation, and deleted after the retention period.

Keys come from ``TTHC_PII_KEY`` (comma-separated; the first encrypts, all
decrypt, which allows rotation). Without it a key file is generated once
(mode 0600) so a development install survives restarts. A changed, missing or
broken key makes old copies unreadable: staff then see the masked text, never
an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import DateTime, ForeignKey, Text, delete, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from api.config import AppSettings
from api.db_models import ConversationRow, TurnRow
from knowledge_base.db import Base, create_tables, utcnow

logger = logging.getLogger(__name__)
KEY_FILE_NAME = "pii.key"
PURGE_INTERVAL_SECONDS = 3600.0


class PiiRow(Base):
    """The encrypted original of one masked turn (only turns whose text masking changed)."""

    __tablename__ = "conversation_pii"
    turn_id: Mapped[int] = mapped_column(ForeignKey(TurnRow.id), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey(ConversationRow.id), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    token: Mapped[str] = mapped_column(Text)


@dataclass
class Originals:
    """Decrypted originals of a conversation's turns, and how many could not be read."""

    texts: dict[int, str] = field(default_factory=dict)
    unreadable: int = 0


class PiiVault:
    """Stores, reveals and purges the encrypted originals."""

    def __init__(self, sessions: sessionmaker, cipher: MultiFernet | None,
                 retention_days: int) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.retention_days = retention_days

    @property
    def enabled(self) -> bool:
        """False without a usable key or with a retention of 0 days: nothing raw is kept."""
        return self.cipher is not None and self.retention_days > 0

    def cutoff(self, now: datetime | None = None) -> datetime:
        """Copies made before this moment are expired."""
        return (now or utcnow()) - timedelta(days=self.retention_days)

    def keep(self, session: Session, turn_id: int, conversation_id: int, original: str) -> None:
        """Add the encrypted original of a turn in the caller's transaction (no-op if disabled)."""
        if not self.enabled or self.cipher is None:
            return
        token = self.cipher.encrypt(original.encode("utf-8")).decode("ascii")
        session.add(PiiRow(turn_id=turn_id, conversation_id=conversation_id, token=token))

    def originals(self, conversation_id: int) -> Originals:
        """Decrypt the unexpired originals of one conversation, keyed by turn id."""
        found = Originals()
        with self.sessions() as session:
            rows = session.execute(select(PiiRow.turn_id, PiiRow.token).where(
                PiiRow.conversation_id == conversation_id, PiiRow.at >= self.cutoff())).all()
        for turn_id, token in rows:
            text = self._decrypt(token)
            if text is None:
                found.unreadable += 1
            else:
                found.texts[turn_id] = text
        if found.unreadable:
            logger.warning("%d personal-data copies of conversation %d cannot be decrypted "
                           "(key changed or missing); showing masked text",
                           found.unreadable, conversation_id)
        return found

    def _decrypt(self, token: str) -> str | None:
        if self.cipher is None:
            return None
        try:
            return self.cipher.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None

    def purge(self, now: datetime | None = None) -> int:
        """Delete expired copies (all of them when retention is 0); return how many."""
        with self.sessions.begin() as session:
            result = session.execute(delete(PiiRow).where(PiiRow.at < self.cutoff(now)))
            return int(result.rowcount or 0)


def key_file_path(settings: AppSettings) -> Path:
    """The local key file: ``TTHC_PII_KEY_FILE``, else next to the SQLite file, else var/."""
    if settings.pii_key_file:
        return settings.resolve(settings.pii_key_file)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / KEY_FILE_NAME
    return settings.resolve(Path("var") / KEY_FILE_NAME)


def _read_or_create(path: Path) -> bytes:
    """Read the key file, creating it atomically (0600) if missing; concurrent starts agree."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
        try:
            os.link(temporary, path)  # fails if another process was faster: keep theirs
            logger.info("generated a local PII key file %s", path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        logger.warning("PII key file %s is readable by other users; chmod 600 it", path)
    return path.read_bytes().strip()


def load_keys(settings: AppSettings) -> list[bytes]:
    """The Fernet keys from ``TTHC_PII_KEY`` (first encrypts) or the local key file.

    Raises:
        ValueError, OSError: the key file cannot be read or created.

    """
    secret = settings.pii_key
    if secret is not None and secret.get_secret_value().strip():
        return [k.strip().encode("ascii") for k in secret.get_secret_value().split(",")
                if k.strip()]
    path = key_file_path(settings)
    keys = [_read_or_create(path)]
    logger.info("TTHC_PII_KEY not set; using the local key file %s "
                "(set TTHC_PII_KEY in production)", path)
    return keys


def cipher_from(keys: list[bytes]) -> MultiFernet:
    """A cipher that encrypts with the first key and decrypts with any."""
    return MultiFernet([Fernet(key) for key in keys])


def load_cipher(settings: AppSettings) -> MultiFernet | None:
    """The cipher from ``TTHC_PII_KEY`` or the local key file; None (logged) if unusable."""
    try:
        return cipher_from(load_keys(settings))
    except (ValueError, OSError) as error:
        logger.error("PII key unusable (%s); messages with personal data are stored masked only",
                     type(error).__name__)
        return None


def ensure_table(engine: Engine) -> None:
    """Create the originals table if missing (idempotent; serialised across replicas)."""
    create_tables(engine, [PiiRow.__table__])


def build_vault(settings: AppSettings, sessions: sessionmaker, engine: Engine) -> PiiVault:
    """Create the table if missing and the vault with the configured key and retention."""
    ensure_table(engine)
    retention = settings.pii_retention_days
    cipher = load_cipher(settings) if retention > 0 else None
    return PiiVault(sessions, cipher, retention)


async def purge_periodically(vault: PiiVault,
                             interval: float = PURGE_INTERVAL_SECONDS) -> None:
    """Purge at once, then every ``interval`` seconds (one indexed DELETE; cheap)."""
    while True:
        try:
            removed = await asyncio.to_thread(vault.purge)
            if removed:
                logger.info("purged %d expired personal-data copies", removed)
        except Exception:  # noqa: BLE001 - a failed purge is retried next time
            logger.exception("personal-data purge failed")
        await asyncio.sleep(interval)


def start_purging(vault: PiiVault) -> asyncio.Task[None]:
    """Start the periodic purge in the running event loop (the app's lifespan)."""
    return asyncio.create_task(purge_periodically(vault), name="pii-purge")


async def stop_purging(task: asyncio.Task[None]) -> None:
    """Cancel the periodic purge and wait for it to end."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
