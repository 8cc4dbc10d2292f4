"""The lock store's own tests run inside .venv-rasa (``bot/tests/test_lock_store.py``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ops.processes import PROJECT_ROOT
from tests.api.scale.redis_server import REDIS_SERVER

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
pytestmark = pytest.mark.skipif(REDIS_SERVER is None or not RASA_PYTHON.exists(),
                                reason="redis-server or .venv-rasa missing")


def test_lock_store_unit_tests_pass_in_the_rasa_venv() -> None:
    result = subprocess.run([str(RASA_PYTHON), "-m", "pytest", "-q", "tests/test_lock_store.py"],
                            cwd=PROJECT_ROOT / "bot", capture_output=True, text=True, timeout=300,
                            env={"PATH": str(Path(REDIS_SERVER).parent) + ":/usr/bin:/bin",
                                 "HOME": str(Path.home()), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stdout + result.stderr  # pytest: ran, none failed
