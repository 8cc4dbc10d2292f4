"""Zalo Official Account channel: verified webhook, durable queue, replies with buttons.

The app's lifespan calls :func:`start` with the app's services once the
conversation service and the database exist, and :func:`stop` on shutdown;
``api.channels.zalo.routes`` holds ``POST /webhooks/zalo``. Without Zalo
credentials the channel stays off and the webhook answers 503 with the names
of the missing settings.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from api.channels.zalo.channel import ZaloChannel
from api.pii import load_cipher

if TYPE_CHECKING:  # api.services imports this package: the type only, no import cycle
    from api.services import Services

log = logging.getLogger(__name__)


async def start(services: Services) -> ZaloChannel | None:
    """Start the channel on ``services`` (None when it is not configured).

    The channel answers with the conversation service, stores its queue in the
    shared database and is left on ``services.zalo``.
    """
    settings = services.zalo_settings
    services.zalo = None
    if not settings.enabled:
        log.info("zalo channel disabled (missing %s)", ", ".join(settings.missing))
        return None
    channel = ZaloChannel(settings, services.engine, services.conversation.handle,
                          services.kb.office_info, redis_url=services.settings.redis_url,
                          cipher=load_cipher(services.settings))
    await channel.start()
    services.zalo = channel
    return channel


async def stop(services: Services) -> None:
    """Stop the channel started on ``services``, if any."""
    channel, services.zalo = services.zalo, None
    if channel is not None:
        await channel.stop()


async def send_staff_reply(channel: ZaloChannel | None, user_id: str, text: str) -> bool:
    """Send a support-console reply to a Zalo citizen (used by ``api.support.delivery``).

    Returns:
        False when the channel is off or Zalo refused the message (logged with its code).

    """
    if channel is None or not channel.running:
        log.warning("zalo staff reply not sent: channel not running")
        return False
    return await channel.send_text(user_id, text)
