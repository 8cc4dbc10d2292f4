"""Tests of freezing Rasa's long-lived objects; run inside .venv-rasa (no pytest there).

Run: ``cd bot && ../.venv-rasa/bin/python tests/test_memory.py MODEL.tar.gz``
(``tests/bot/test_rasa_project.py`` does this in ``make test`` with the trained model).
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import components  # noqa: E402,F401  (installs the freeze)
from rasa.core.agent import Agent  # noqa: E402

from tests.runner import run_tests  # noqa: E402


def test_a_loaded_model_is_out_of_the_collectors_sight(model: str) -> None:
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


if __name__ == "__main__":
    run_tests(globals(), sys.argv[1])
