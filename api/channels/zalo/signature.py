"""Verification of Zalo's webhook signature (``X-ZEvent-Signature``).

Zalo signs each event as ``mac=`` + hex SHA-256 (a plain hash, not an HMAC) of
``app_id + raw body + timestamp + OA secret key``, where ``timestamp`` is the
event's own ``timestamp`` field. The hash is taken over the exact bytes
received, so the body is never re-serialised before checking.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-ZEvent-Signature"
_PREFIX = "mac="


def compute_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Hex SHA-256 of ``app_id + raw_body + timestamp + oa_secret_key``.

    Example:
        >>> len(compute_mac("1", b"{}", "2", "k"))
        64

    """
    digest = hashlib.sha256()
    digest.update(app_id.encode("utf-8"))
    digest.update(raw_body)
    digest.update(timestamp.encode("utf-8"))
    digest.update(oa_secret_key.encode("utf-8"))
    return digest.hexdigest()


def signature_header(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """Return the header value Zalo would send for this event (used by tests and the benchmark)."""
    return _PREFIX + compute_mac(app_id, raw_body, timestamp, oa_secret_key)


def verify(header: str | None, app_id: str, raw_body: bytes, timestamp: str,
           oa_secret_key: str) -> bool:
    """Tell whether ``header`` carries the right MAC, compared in constant time.

    A header without the ``mac=`` prefix is accepted too (some proxies strip it);
    the comparison itself never short-circuits on the first differing byte.
    """
    if not header:
        return False
    supplied = header.strip()
    if supplied[: len(_PREFIX)].lower() == _PREFIX:
        supplied = supplied[len(_PREFIX):].strip()
    expected = compute_mac(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(supplied.lower().encode("ascii", "replace"),
                               expected.encode("ascii"))
