"""The checklist page (phone screen, one A4 page) and the widget on a phone, in headless Chromium.

Same set-up as the widget test (the real app started like ``make run``, degraded mode,
Debian's Chromium driven by playwright-core).
"""

from __future__ import annotations

import pytest

from tests.browser.node_script import run_browser_script
from tests.browser.test_widget_browser import app_url  # noqa: F401

pytestmark = pytest.mark.slow


def test_checklist_page_in_headless_chromium(app_url: str) -> None:  # noqa: F811
    run_browser_script("checklist.test.mjs", app_url)


def test_widget_on_a_phone_in_headless_chromium(app_url: str) -> None:  # noqa: F811
    run_browser_script("phone.test.mjs", app_url)
