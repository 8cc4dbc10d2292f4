"""What the web widget polls while a conversation waits for, or is handled by, staff.

``GET /api/chat/updates?sender_id=…&after=<cursor>`` returns staff messages
newer than the cursor and the conversation's state (``owner``: bot, waiting or
staff; ``staff`` and ``handoff`` flags). Only someone who knows the widget's
random sender id can read its conversation, as with ``POST /api/chat``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth.deps import ServicesDep
from api.schemas import SENDER_ID_PATTERN
from api.support.schemas import UpdatesOut

router = APIRouter(prefix="/api/chat", tags=["chat"])
WEB_CHANNEL = "web"


@router.get("/updates")
def chat_updates(
    services: ServicesDep,
    response: Response,
    sender_id: Annotated[str, Query(pattern=SENDER_ID_PATTERN)],
    after: Annotated[int | None, Query(ge=0)] = None,
) -> UpdatesOut:
    """Staff replies after ``after`` and whether staff own the conversation."""
    response.headers["Cache-Control"] = "no-store"
    return services.inbox.updates(WEB_CHANNEL, sender_id, after)
