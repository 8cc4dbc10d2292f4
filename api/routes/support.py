"""Support console API: inbox, transcripts, claim/release, replies, suggestions, proposals.

Every route requires a support or admin user (401/403 otherwise); mutating
routes called with the console cookie also need the CSRF header. Lists and
suggestions are masked; the opened conversation shows the citizen's original
text (personal data) to staff, audited (:mod:`api.support.pii_view`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.auth.deps import ServicesDep, SupportUser, require_support
from api.auth.errors import StaffError, kb_errors
from api.auth.models import ROLE_ADMIN
from api.pii import PiiDep
from api.support.delivery import deliver
from api.support.models import DELIVERY_WEB
from api.support.pii_view import open_conversation
from api.support.schemas import (
    ConversationDetail,
    ProposalIn,
    ProposalOut,
    ReplyIn,
    SuggestionsOut,
)
from api.support.suggestions import suggest

router = APIRouter(prefix="/api/support", tags=["support"],
                   dependencies=[Depends(require_support)])


@router.get("/inbox")
def inbox(services: ServicesDep) -> dict[str, Any]:
    """List waiting conversations (oldest first), then those staff own; texts masked."""
    return {"items": services.inbox.queue()}


@router.get("/conversations/{conversation_id}")
def conversation(conversation_id: int, user: SupportUser, services: ServicesDep,
                 pii: PiiDep) -> ConversationDetail:
    """Return the full transcript of one conversation, with the citizen's original text."""
    return open_conversation(services.inbox, pii, user.username, conversation_id)


@router.post("/conversations/{conversation_id}/claim")
def claim(conversation_id: int, user: SupportUser, services: ServicesDep,
          pii: PiiDep) -> ConversationDetail:
    """Take a waiting conversation: the bot goes silent and the citizen sees an officer."""
    services.inbox.claim(conversation_id, user.username)
    return open_conversation(services.inbox, pii, user.username, conversation_id)


@router.post("/conversations/{conversation_id}/release")
def release(conversation_id: int, user: SupportUser, services: ServicesDep,
            pii: PiiDep) -> ConversationDetail:
    """Hand the conversation back to the bot."""
    services.inbox.release(conversation_id, user.username, any_staff=user.role == ROLE_ADMIN)
    return open_conversation(services.inbox, pii, user.username, conversation_id)


@router.post("/conversations/{conversation_id}/reply")
async def reply(conversation_id: int, body: ReplyIn, user: SupportUser, services: ServicesDep,
                request: Request) -> dict[str, Any]:
    """Send a reply to the citizen (web: via the widget's polling; Zalo: via the OA)."""
    message, target = services.inbox.add_reply(conversation_id, user.username, body.text,
                                               DELIVERY_WEB)
    status = await deliver(request, target.channel, target.user_id, message.text)
    if status != message.delivery:
        services.inbox.set_delivery(message.id, status)
        message = message.model_copy(update={"delivery": status})
    return {"message": message}


@router.get("/suggestions")
def suggestions(services: ServicesDep,
                q: Annotated[str, Query(max_length=2000)] = "") -> SuggestionsOut:
    """Top 3 knowledge-base answers for a citizen's message, each with its source."""
    if not services.kb.ready:
        raise StaffError(503, "kb_not_ready")
    with kb_errors():
        return suggest(services.kb, q)


@router.post("/proposals", status_code=201)
def propose(body: ProposalIn, user: SupportUser, services: ServicesDep) -> ProposalOut:
    """Propose a new FAQ entry or a new phrasing for the admins' review queue."""
    return services.proposals.propose(body, user.username)
