"""Tests of freezing Rasa's long-lived objects, run by pytest in .venv-rasa.

Run: ``cd bot && ../.venv-rasa/bin/python -m pytest tests/test_memory.py``
(``tests/bot/test_rasa_project.py`` does this in ``make test`` with the trained model,
``TTHC_RASA_MODEL`` or ``bot/models/tthc.tar.gz``).
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def frozen_model_check(model: str) -> None:
    """Load ``model`` in this (fresh) interpreter and check the freeze; raises if not."""
    import components  # noqa: F401  (installs the freeze)
    from rasa.core.agent import Agent

    assert gc.get_freeze_count() == 0
    agent = Agent.load(model)
    frozen = gc.get_freeze_count()
    assert frozen > 100_000, frozen  # the modules and the model, not just a few objects
    parsed = asyncio.run(agent.parse_message("dk khai sinh can giay to gi"))
    assert parsed["intent"]["name"]  # the frozen model still works
    started = time.perf_counter()
    gc.collect()
    # for the record (speed is measured by `make bench`, not asserted here)
    print(f"full collection with {frozen} objects frozen: "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")


def test_a_loaded_model_is_out_of_the_collectors_sight(model: str) -> None:
    # A fresh interpreter: other tests of the session have loaded models already.
    code = (f"import sys; sys.path[:0] = [{str(HERE.parent)!r}, {str(HERE)!r}]; "
            f"import test_memory; test_memory.frozen_model_check({model!r})")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    print(result.stdout)
