"""What the web widget polls while a conversation waits for, or is handled by, staff.

``GET /api/chat/updates?sender_id=…&after=<cursor>`` returns staff messages
newer than the cursor and the conversation's state (``owner``: bot, waiting or
staff; ``staff`` and ``handoff`` flags). Only the holder of a sender id the server
issued can read its conversation (:mod:`api.sender_ids`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.auth.deps import StaffDep
from api.db_models import OWNER_BOT
from api.deps import LimitersDep, SenderIdsDep
from api.rate_limit import over_limits
from api.schemas import SENDER_ID_PATTERN
from api.support.schemas import UpdatesOut

router = APIRouter(prefix="/api/chat", tags=["chat"])
WEB_CHANNEL = "web"


@router.get("/updates", response_model=UpdatesOut)
def chat_updates(
    services: StaffDep,
    senders: SenderIdsDep,
    limiters: LimitersDep,
    request: Request,
    response: Response,
    sender_id: Annotated[str, Query(pattern=SENDER_ID_PATTERN)],
    after: Annotated[int | None, Query(ge=0)] = None,
) -> UpdatesOut | JSONResponse:
    """Staff replies after ``after`` and whether staff own the conversation.

    Limited per sender and per client address; an id the server did not issue
    reads nothing (an empty bot-owned state), whoever's conversation it names.
    """
    if limited := over_limits(request, f"{WEB_CHANNEL}:{sender_id}", limiters.updates_sender,
                              limiters.updates_address):
        return limited
    response.headers["Cache-Control"] = "no-store"
    if not senders.accepted(sender_id):
        return UpdatesOut(messages=[], cursor=after or 0, staff=False, handoff=False,
                          owner=OWNER_BOT)
    return services.inbox.updates(WEB_CHANNEL, sender_id, after)
