"""A booking's contact details: phone validation, the keyed hash, encryption, masking.

Name and phone are stored like the other personal data (:mod:`api.pii`):
Fernet-encrypted with the app's PII key, readable only by staff. The phone is
also kept as an HMAC (keyed with the same secret, so it cannot be brute-forced
from the database alone) for "at most 2 bookings per phone" and for checking
the phone given with a cancel, and as a masked form (``09******78``) for logs
and lists.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from api.config import AppSettings
from api.pii import _read_or_create, key_file_path  # noqa: PLC2701 - same key, same rules

_SEPARATORS = re.compile(r"[\s.()-]")
_PHONE = re.compile(r"^0(?:[35789]\d{8}|2\d{9})$")  # mobile 10 digits, landline 02x 11 digits
MAX_NAME_CHARS = 100


class InvalidContactError(ValueError):
    """A phone number or name that cannot be a citizen's (the message key says which)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def normalize_phone(raw: str) -> str:
    """``+84 912 345 678`` → ``0912345678``; raises InvalidContactError("invalid_phone")."""
    digits = _SEPARATORS.sub("", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _PHONE.match(digits):
        raise InvalidContactError("invalid_phone")
    return digits


def normalize_name(raw: str) -> str:
    """A name of 2–100 printable characters, spaces collapsed."""
    name = " ".join((raw or "").split())
    if len(name) < 2 or len(name) > MAX_NAME_CHARS or not name.isprintable() \
            or any(ch.isdigit() for ch in name):
        raise InvalidContactError("invalid_name")
    return name


def mask_phone(phone: str) -> str:
    """``0912345678`` → ``09******78`` (for logs, lists and the citizen's receipt)."""
    return phone[:2] + "*" * (len(phone) - 4) + phone[-2:]


@dataclass
class ContactProtector:
    """Encrypts contacts and hashes phones with the app's personal-data key."""

    cipher: MultiFernet
    hash_key: bytes

    @classmethod
    def from_settings(cls, settings: AppSettings) -> ContactProtector:
        """Keys from ``TTHC_PII_KEY`` (first one hashes) or the local key file."""
        secret = settings.pii_key
        if secret is not None and secret.get_secret_value().strip():
            keys = [k.strip().encode("ascii") for k in secret.get_secret_value().split(",")
                    if k.strip()]
        else:
            keys = [_read_or_create(key_file_path(settings))]
        cipher = MultiFernet([Fernet(key) for key in keys])
        return cls(cipher, hashlib.sha256(b"tthc-appointment-phone|" + keys[0]).digest())

    def phone_hash(self, phone: str) -> str:
        """HMAC-SHA256 of the normalised phone, hex."""
        return hmac.new(self.hash_key, phone.encode("ascii"), hashlib.sha256).hexdigest()

    def digest(self, *parts: str) -> str:
        """A keyed hash of several values (the idempotency key of a booking request)."""
        return hmac.new(self.hash_key, "\x1f".join(parts).encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def seal(self, name: str, phone: str) -> str:
        """The encrypted contact, as stored."""
        data = json.dumps({"name": name, "phone": phone}, ensure_ascii=False)
        return self.cipher.encrypt(data.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> dict[str, str] | None:
        """The decrypted contact, or None if the key changed."""
        try:
            return json.loads(self.cipher.decrypt(token.encode("ascii")).decode("utf-8"))
        except (InvalidToken, ValueError):
            return None
