"""Deliver staff replies to channels other than the web widget.

Web citizens fetch staff replies by polling ``/api/chat/updates``. For Zalo,
the channel package exposes a sender; this module finds it without importing
anything at module import time, so the support desk works (replies are stored
and marked undelivered) when the Zalo channel is absent or not configured.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request

from api.support.models import DELIVERY_FAILED, DELIVERY_SENT, DELIVERY_STORED, DELIVERY_WEB

logger = logging.getLogger(__name__)
SENDER_MODULES = ("api.channels.zalo", "api.channels.zalo.staff", "api.channels.zalo.sender",
                  "api.channels.zalo.service")
SENDER_NAMES = ("send_staff_reply", "send_staff_message")


def find_zalo_sender() -> Callable[..., Any] | None:
    """Find the Zalo channel's ``send_staff_reply(app, user_id, text)``, if it exists."""
    for module_name in SENDER_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in SENDER_NAMES:
            sender = getattr(module, name, None)
            if callable(sender):
                return sender
    return None


async def deliver(request: Request, channel: str, user_id: str, text: str) -> str:
    """Send a staff reply on its channel; returns the delivery status to record."""
    if channel == "web":
        return DELIVERY_WEB
    if channel != "zalo":
        return DELIVERY_STORED
    sender = find_zalo_sender()
    if sender is None:
        logger.warning("no Zalo sender available; staff reply stored only")
        return DELIVERY_STORED
    try:
        result = sender(request.app, user_id, text)
        if inspect.isawaitable(result):
            result = await result
    except Exception:  # noqa: BLE001 - a failed send must not lose the stored reply
        logger.exception("Zalo staff reply failed")
        return DELIVERY_FAILED
    return DELIVERY_SENT if result is not False else DELIVERY_FAILED
