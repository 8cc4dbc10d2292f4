"""Keep Python's cycle collector off the objects a Rasa server holds for its whole life.

Why: a loaded Rasa server holds about 500,000 long-lived objects (TensorFlow's
and Rasa's modules, the domain, the model). Every full (generation 2)
collection walked all of them: 280-430 ms, measured with ``gc.callbacks``
during ``make bench``, while the single-threaded server answered no one. Paced
benchmark runs in which such a collection fell had a p95 of 230-300 ms instead
of 40-100 ms.

Once the message processor has loaded its model, ``gc.freeze()`` moves every
object alive into a permanent generation that collections skip. Objects made
later (trackers, messages, events) are collected as before. A model loaded
again later (Rasa's model API) freezes the old one too: it stays in memory.
Installed when the project's custom components are loaded.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from rasa.core.processor import MessageProcessor

logger = logging.getLogger(__name__)
_ORIGINAL = MessageProcessor._load_model  # a staticmethod: the plain function


def _load_model_then_freeze(model_path: Any) -> Any:
    loaded = _ORIGINAL(model_path)
    gc.collect()
    gc.freeze()
    logger.debug("froze %d long-lived objects after loading the model", gc.get_freeze_count())
    return loaded


def install() -> None:
    """Freeze what is alive after every model load (idempotent)."""
    MessageProcessor._load_model = staticmethod(_load_model_then_freeze)
