"""Deliver staff replies to channels other than the web widget.

Web citizens fetch staff replies by polling ``/api/chat/updates``. Zalo citizens
get them through the running Zalo channel (:func:`api.channels.zalo.send_staff_reply`);
when the channel is off the reply is stored and marked undelivered, so the
support desk works without Zalo.
"""

from __future__ import annotations

import logging

from api.channels.zalo import send_staff_reply
from api.channels.zalo.channel import ZaloChannel
from api.support.models import DELIVERY_FAILED, DELIVERY_SENT, DELIVERY_STORED, DELIVERY_WEB

logger = logging.getLogger(__name__)


async def deliver(zalo: ZaloChannel | None, channel: str, user_id: str, text: str) -> str:
    """Send a staff reply on its channel; returns the delivery status to record."""
    if channel == "web":
        return DELIVERY_WEB
    if channel != "zalo":
        return DELIVERY_STORED
    try:
        sent = await send_staff_reply(zalo, user_id, text)
    except Exception:  # noqa: BLE001 - a failed send must not lose the stored reply
        logger.exception("Zalo staff reply failed")
        return DELIVERY_FAILED
    return DELIVERY_SENT if sent else DELIVERY_FAILED
