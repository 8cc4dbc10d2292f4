"""The checklist page (phone screen, one A4 page) and the widget on a phone, in headless Chromium.

Same set-up as the widget test (the real app started like ``make run``, degraded mode,
Debian's Chromium driven by playwright-core).
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


def test_checklist_page_in_headless_chromium(app_url: str) -> None:  # noqa: F811
    node = shutil.which("node")
    assert node, "node is required for the browser test"
    assert CHROMIUM.exists(), f"{CHROMIUM} missing: run `make browser-deps`"
    assert (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(), "run `make browser-deps`"
    env = {**os.environ, "TTHC_BASE_URL": app_url, "TTHC_CHROMIUM": str(CHROMIUM)}
    result = subprocess.run([node, str(BROWSER_DIR / "checklist.test.mjs")], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, f"browser test failed:\n{result.stdout}\n{result.stderr}"


def test_widget_on_a_phone_in_headless_chromium(app_url: str) -> None:  # noqa: F811
    node = shutil.which("node")
    assert node and CHROMIUM.exists(), "run `make browser-deps`"
    env = {**os.environ, "TTHC_BASE_URL": app_url, "TTHC_CHROMIUM": str(CHROMIUM)}
    result = subprocess.run([node, str(BROWSER_DIR / "phone.test.mjs")], cwd=PROJECT_ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    print(result.stdout)
    print(result.stderr, file=sys.stderr)
    assert result.returncode == 0, f"phone test failed:\n{result.stdout}\n{result.stderr}"
