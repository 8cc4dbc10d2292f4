"""Fixtures of the Rasa components' tests, run by pytest inside .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest`` (``make test`` does it through
``tests/bot/test_rasa_project.py``; the lock store's tests need ``redis-server``).
``bot/`` goes first on ``sys.path`` so the tests import ``components`` as Rasa does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BOT))


@pytest.fixture(scope="session")
def model() -> str:
    """The trained model: ``TTHC_RASA_MODEL``, else ``bot/models/tthc.tar.gz``."""
    path = Path(os.environ.get("TTHC_RASA_MODEL", BOT / "models" / "tthc.tar.gz"))
    if not path.exists():
        pytest.fail(f"no trained Rasa model at {path}: run `make train`")
    return str(path)
