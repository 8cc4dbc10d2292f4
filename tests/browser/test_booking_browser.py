"""Booking a counter appointment through the web widget in headless Chromium (real app).

The app runs as in ``test_widget_browser.py`` (degraded mode, no Rasa); the script
clicks the booking button under an answer, a day, a slot, types a name and phone,
checks the receipt, then asks in English and sees the labels switch.
"""

from __future__ import annotations

import pytest

from tests.browser.node_script import run_browser_script
from tests.browser.test_widget_browser import app_url  # noqa: F401

pytestmark = pytest.mark.slow


def test_booking_through_the_widget(app_url: str) -> None:  # noqa: F811
    run_browser_script("booking.test.mjs", app_url)
