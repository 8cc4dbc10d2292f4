"""Hand a released conversation back to the bot in Rasa too.

While a conversation waits for staff, Rasa's ``handed_off`` slot makes a "alo"
get "an officer will answer soon". Once an officer releases the conversation
that would be wrong, so the release sets the slot back to false through Rasa's
HTTP API (``rasa run --enable-api``, as ``make run`` starts it) on the server
the conversation sticks to. Best effort: an unreachable Rasa changes nothing
for the release (degraded mode reads the app's own topic, reset by the inbox).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from actions.constants import SLOT_HANDED_OFF
from api.rasa_client import RasaClient, preferred_order

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


async def reset_handoff_slot(rasa: RasaClient | None, sender: str) -> bool:
    """Set ``handed_off`` to false in the Rasa tracker of ``sender``; True if Rasa accepted."""
    if rasa is None or not rasa.servers:
        return False
    server = preferred_order(rasa.servers, sender)[0]
    url = f"{server.url}/conversations/{quote(sender, safe='')}/tracker/events"
    event = {"event": "slot", "name": SLOT_HANDED_OFF, "value": False}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            response = await http.post(url, json=event, params={"include_events": "NONE"})
    except httpx.HTTPError as error:
        logger.info("could not reset the handoff slot in Rasa (%s)", type(error).__name__)
        return False
    if response.status_code >= 400:
        logger.warning("Rasa refused the handoff slot reset: status %d", response.status_code)
        return False
    return True
