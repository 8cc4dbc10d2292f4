"""Keep Rasa's HTTP connections to the action server open between calls.

Why: Rasa 3.6 creates a new ``aiohttp.ClientSession`` (so a new TCP
connection, set up and torn down on both sides) for every
``EndpointConfig.request``, i.e. for every custom action it runs. In profiles
of ``make bench`` that was about a tenth of Rasa's CPU per message. This keeps
one session per event loop and per headers/auth, with the same timeout as
Rasa's. Its idle connections are dropped after 4 s, before the app's server
(uvicorn, 5 s keep-alive) closes them, so a request never lands on a
connection the other side is closing. The request bodies (the whole tracker,
every call) are encoded with ujson, which Rasa's web server already depends on:
the standard ``json`` encoder was 6% of Rasa's CPU per message.
Installed when the project's custom components are loaded.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import aiohttp
from rasa.utils import endpoints

try:  # a dependency of sanic, Rasa's web server; the standard encoder otherwise
    from ujson import dumps as _json_dumps
except ImportError:  # pragma: no cover
    from json import dumps as _json_dumps

KEEPALIVE_SECONDS = 4.0
_ORIGINAL = endpoints.EndpointConfig.session
# per event loop (weakly: a closed loop's sessions go with it), then per headers/auth
_SESSIONS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[Any, ...], aiohttp.ClientSession]] = (  # noqa: E501
    weakref.WeakKeyDictionary())


class _Borrowed:
    """``async with`` on a shared session: hands it out, never closes it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> bool:
        return False


def _key(config: endpoints.EndpointConfig) -> tuple[Any, ...]:
    return (tuple(sorted((config.headers or {}).items())),
            tuple(sorted((config.basic_auth or {}).items())))


def shared_session(config: endpoints.EndpointConfig) -> Any:
    """Drop-in for ``EndpointConfig.session`` used as ``async with config.session()``."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # not inside a coroutine: keep Rasa's behaviour
        return _ORIGINAL(config)
    sessions = _SESSIONS.setdefault(loop, {})
    key = _key(config)
    session = sessions.get(key)
    if session is None or session.closed:
        auth = (aiohttp.BasicAuth(config.basic_auth["username"], config.basic_auth["password"])
                if config.basic_auth else None)
        session = sessions[key] = aiohttp.ClientSession(
            headers=config.headers, auth=auth, json_serialize=_json_dumps,
            timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS))
    return _Borrowed(session)


def install() -> None:
    """Replace ``EndpointConfig.session`` (idempotent)."""
    endpoints.EndpointConfig.session = shared_session
