"""Rasa's lock store: Redis when ``TTHC_REDIS_URL`` is set, in memory otherwise.

Why: Rasa serialises the messages of one conversation with a lock. With one
Rasa process the stock in-memory lock store is enough; with several Rasa
replicas (or ``SANIC_WORKERS`` > 1) on one tracker store, the lock must be
shared, or two replicas could handle the same citizen's messages at once and
interleave their events. Rasa 3.6's ``endpoints.yml`` cannot choose a store
from the environment, so this class decides at start-up and delegates.

Rasa lets ``SANIC_WORKERS`` > 1 through for any custom lock store; this class
refuses to start in that case without Redis, because the in-memory fallback
would give each worker its own locks.
"""

from __future__ import annotations

import logging
import os

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

REDIS_URL_ENV = "TTHC_REDIS_URL"
KEY_PREFIX = "tthc"  # keys are tthc:lock:<conversation id>
SOCKET_TIMEOUT_S = 10.0


def _sanic_workers() -> int:
    try:
        return int(os.environ.get("SANIC_WORKERS", "1"))
    except ValueError:
        return 1


def redis_lock_store(url: str) -> RedisLockStore:
    """Rasa's Redis lock store on any redis:// or rediss:// URL (password, db included)."""
    import redis

    store = RedisLockStore(key_prefix=KEY_PREFIX)  # its default client never connected
    store.red = redis.StrictRedis.from_url(url, socket_timeout=SOCKET_TIMEOUT_S)
    return store


class EnvLockStore(LockStore):
    """Delegates to a ``RedisLockStore`` or an ``InMemoryLockStore``, chosen by the environment."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        url = os.environ.get(REDIS_URL_ENV, "").strip()
        if url:
            self.delegate: LockStore = redis_lock_store(url)
            self.delegate.red.ping()  # fail at start-up, not on the first message
            logger.info("Lock store: Redis.")
        else:
            if _sanic_workers() > 1:
                raise RasaException(
                    f"SANIC_WORKERS={_sanic_workers()} needs a shared lock store: set "
                    f"{REDIS_URL_ENV} (the in-memory lock store is per process).")
            self.delegate = InMemoryLockStore()
            logger.info("Lock store: in memory (one Rasa process).")
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The delegate's lock of the conversation."""
        return self.delegate.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the conversation's lock in the delegate."""
        self.delegate.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Save the lock in the delegate."""
        self.delegate.save_lock(lock)
