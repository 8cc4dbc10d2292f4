"""``POST /api/chat``: the web widget's (and any HTTP client's) way to talk to the bot.

Body ``{"sender_id": str, "text": str}``; answer ``{"messages": [{"text", "buttons":
[{"title", "payload"}]}], "owner", "handoff", "degraded"}``. A button's payload
can be posted back as ``text``. Validation errors are 422 with a readable
``detail``; the citizen never gets a 5xx (errors become a polite message).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from actions.templates import Reply
from api.db_models import OWNER_WAITING
from api.deps import (
    ConversationDep,
    KnowledgeBaseDep,
    LimitersDep,
    SenderIdsDep,
    SettingsDep,
    TemplatesDep,
)
from api.rate_limit import over_limits
from api.schemas import ButtonOut, ChatRequest, ChatResponse, OutMessage

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])
WEB_CHANNEL = "web"


def _office(kb: KnowledgeBaseDep) -> dict[str, str]:
    try:
        return kb.office_info()
    except Exception:  # noqa: BLE001
        logger.exception("office info unavailable")
        return {}


@router.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, conversation: ConversationDep, templates: TemplatesDep,
               settings: SettingsDep, kb: KnowledgeBaseDep, senders: SenderIdsDep,
               limiters: LimitersDep, request: Request) -> ChatResponse | JSONResponse:
    """Answer one message of the web widget (429 with a polite detail over the rate limit).

    An id the server did not issue starts a new conversation under an issued one,
    returned as ``sender_id`` (:mod:`api.sender_ids`).
    """
    sender_id = senders.effective(body.sender_id)
    if limited := over_limits(request, f"{WEB_CHANNEL}:{sender_id}", limiters.chat_sender,
                               limiters.chat_address):
        return limited
    if len(body.text) > settings.max_text_chars:
        detail = templates.text("utter_text_too_long", max_chars=settings.max_text_chars)
        return JSONResponse(status_code=422, content={"detail": detail, "max_chars":
                                                      settings.max_text_chars})
    if not body.text:
        rendered = templates.render(Reply("utter_empty_message", _office(kb)))
        return ChatResponse(messages=[OutMessage(text=rendered.text, buttons=[
            ButtonOut(**b.as_dict()) for b in rendered.buttons])], sender_id=sender_id,
            history_days=settings.widget_history_days)
    turn = await conversation.handle_turn(WEB_CHANNEL, sender_id, body.text)
    return ChatResponse(messages=turn.messages, owner=turn.owner.split(":", 1)[0],
                        handoff=turn.owner == OWNER_WAITING, degraded=turn.degraded,
                        sender_id=sender_id, history_days=settings.widget_history_days,
                        language=turn.language)
