"""Zalo Official Account channel: verified webhook, durable queue, replies with buttons.

The app's lifespan calls :func:`start` after the conversation service and the
database exist, and :func:`stop` on shutdown; ``api.channels.zalo.routes``
holds ``POST /webhooks/zalo``. Without Zalo credentials the channel stays off
and the webhook answers 503 with the names of the missing settings.
"""

from __future__ import annotations

import logging
from typing import Any

from api.channels.zalo.settings import ZaloSettings, get_zalo_settings

log = logging.getLogger(__name__)
_running: list[Any] = []


def _engine(app: Any) -> Any:
    state = app.state
    for name in ("engine", "db_engine"):
        if getattr(state, name, None) is not None:
            return getattr(state, name)
    kb = getattr(state, "kb", None) or getattr(state, "knowledge_base", None)
    if kb is not None:
        return kb.store.engine
    raise RuntimeError("zalo channel: no database engine on app.state (engine or kb)")


def _handler(app: Any) -> Any:
    for name in ("conversation", "conversations", "conversation_service"):
        service = getattr(app.state, name, None)
        if service is not None:
            return service.handle
    raise RuntimeError("zalo channel: no conversation service on app.state")


def _office_info(app: Any) -> Any:
    kb = getattr(app.state, "kb", None) or getattr(app.state, "knowledge_base", None)
    return kb.office_info if kb is not None else None


async def start(app: Any, settings: ZaloSettings | None = None) -> Any:
    """Start the channel for ``app`` (a no-op returning None when it is not configured).

    Reads the engine, the conversation service and the knowledge base from
    ``app.state`` and leaves the running channel on ``app.state.zalo``.
    """
    from api.channels.zalo.channel import ZaloChannel
    from api.pii import load_cipher

    settings = settings or getattr(app.state, "zalo_settings", None) or get_zalo_settings()
    app.state.zalo_settings = settings
    app.state.zalo = None
    if not settings.enabled:
        log.info("zalo channel disabled (missing %s)", ", ".join(settings.missing))
        return None
    app_settings = getattr(app.state, "settings", None)
    channel = ZaloChannel(settings, _engine(app), _handler(app), _office_info(app),
                          redis_url=getattr(app_settings, "redis_url", "") or "",
                          cipher=load_cipher(app_settings) if app_settings else None)
    await channel.start()
    app.state.zalo = channel
    _running.append(channel)
    return channel


async def stop(app: Any = None) -> None:
    """Stop the channel started for ``app`` (or every channel this process started)."""
    channel = getattr(app.state, "zalo", None) if app is not None else None
    targets = [channel] if channel is not None else list(_running)
    for target in targets:
        if target in _running:
            _running.remove(target)
        await target.stop()
    if app is not None:
        app.state.zalo = None


async def send_staff_reply(app: Any, user_id: str, text: str) -> bool:
    """Send a support-console reply to a Zalo citizen (found by ``api.support.delivery``).

    Returns:
        False when the channel is off or Zalo refused the message (logged with its code).

    """
    channel = getattr(app.state, "zalo", None)
    if channel is None or not channel.running:
        log.warning("zalo staff reply not sent: channel not running")
        return False
    return await channel.send_text(user_id, text)
