"""Sender ids of the web widget, issued and signed by the server.

A conversation is found by its sender id, so whoever knows an id reads that
citizen's staff replies and continues their context. Ids the server issues are
a random nonce plus an HMAC of it (``s1.<nonce>.<mac>``): they cannot be guessed
or forged, and an id the server did not issue starts a new conversation under
a fresh issued id (returned as ``sender_id``; the widget keeps it) instead of
joining someone else's. The HMAC keys are derived from the personal-data keys
(:func:`api.pii.load_keys`), so every replica accepts the ids of the others and
a key rotation keeps old ids valid while the old key is listed.

``TTHC_CHAT_UNSIGNED_SENDERS=true`` accepts any well-formed id, as before (API
clients that pick their own ids; the test harnesses).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

from api.config import AppSettings
from api.pii import load_keys

logger = logging.getLogger(__name__)
PREFIX = "s1"
MAC_CHARS = 22


def _derive(key: bytes) -> bytes:
    return hashlib.sha256(b"tthc-sender-id\0" + key).digest()


class SenderIds:
    """Issues sender ids and tells whether an id was issued here."""

    def __init__(self, keys: list[bytes], allow_unsigned: bool = False) -> None:
        self._keys = [_derive(key) for key in keys] or [secrets.token_bytes(32)]
        self.allow_unsigned = allow_unsigned

    def _mac(self, nonce: str, key: bytes) -> str:
        digest = hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:MAC_CHARS]

    def issue(self) -> str:
        """A new id: unguessable, and verifiable by every replica."""
        nonce = secrets.token_urlsafe(16)
        return f"{PREFIX}.{nonce}.{self._mac(nonce, self._keys[0])}"

    def issued(self, sender_id: str) -> bool:
        """Whether ``sender_id`` carries a valid signature of one of the keys."""
        prefix, _, rest = sender_id.partition(".")
        nonce, _, mac = rest.rpartition(".")
        if prefix != PREFIX or not nonce or len(mac) != MAC_CHARS or not nonce.isascii():
            return False
        return any(hmac.compare_digest(mac, self._mac(nonce, key)) for key in self._keys)

    def accepted(self, sender_id: str) -> bool:
        """Whether the conversation of ``sender_id`` may be used as is."""
        return self.allow_unsigned or self.issued(sender_id)

    def effective(self, sender_id: str) -> str:
        """``sender_id`` if accepted, else a freshly issued id (a new conversation)."""
        return sender_id if self.accepted(sender_id) else self.issue()


def build_sender_ids(settings: AppSettings) -> SenderIds:
    """Ids signed with keys derived from the personal-data keys (a random key if unusable)."""
    try:
        keys = load_keys(settings)
    except (ValueError, OSError) as error:
        logger.error("sender-id key unusable (%s); ids issued now end with this process",
                     type(error).__name__)
        keys = []
    return SenderIds(keys, settings.chat_unsigned_senders)
