"""Booking a counter appointment through the web widget in headless Chromium (real app).

The app runs as in ``test_widget_browser.py`` (degraded mode, no Rasa); the script
clicks the booking button under an answer, a day, a slot, types a name and phone,
checks the receipt, then asks in English and sees the labels switch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.browser.test_widget_browser import BROWSER_DIR, CHROMIUM, app_url  # noqa: F401
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_booking_through_the_widget(app_url: str) -> None:  # noqa: F811
    node = shutil.which("node")
    assert node, "node is required for the browser test"
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run `make browser-deps`"
    assert (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(), "run `make browser-deps`"
    env = {**os.environ, "TTHC_BASE_URL": app_url, "TTHC_CHROMIUM": str(CHROMIUM)}
    result = subprocess.run([node, str(BROWSER_DIR / "booking.test.mjs")], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, f"browser test failed:\n{result.stdout}\n{result.stderr}"
