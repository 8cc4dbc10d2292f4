"""Support console API: inbox, transcripts, claim/release, replies, suggestions, proposals.

Every route requires a support or admin user (401/403 otherwise); mutating
routes called with the console cookie also need the CSRF header. Lists and
suggestions are masked; the opened conversation shows the citizen's original
text (personal data) to staff, audited (:mod:`api.support.pii_view`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.auth.deps import StaffDep, SupportUser, require_support
from api.auth.errors import StaffError
from api.auth.models import ROLE_ADMIN
from api.deps import PiiDep, RasaDep, ZaloDep
from api.support.delivery import deliver
from api.support.handback import reset_handoff_slot
from api.support.history import HistoryDetail, HistoryQuery, HistoryService
from api.support.models import DELIVERY_WEB
from api.support.pii_view import open_conversation
from api.support.schemas import (
    ConversationDetail,
    ProposalIn,
    ProposalOut,
    ReplyIn,
    SuggestionsOut,
)
from api.support.suggestions import desk_messages, fill_office, settings

router = APIRouter(prefix="/api/support", tags=["support"],
                   dependencies=[Depends(require_support)])


@router.get("/inbox")
def inbox(services: StaffDep) -> dict[str, Any]:
    """List waiting conversations (oldest first), then those staff own; texts masked."""
    return {"items": services.inbox.queue()}


@router.get("/conversations/{conversation_id}")
def conversation(conversation_id: int, user: SupportUser, services: StaffDep,
                 pii: PiiDep) -> ConversationDetail:
    """Return the full transcript of one conversation, with the citizen's original text."""
    return open_conversation(services.inbox, pii, user.username, conversation_id)


@router.post("/conversations/{conversation_id}/claim")
def claim(conversation_id: int, user: SupportUser, services: StaffDep,
          pii: PiiDep) -> ConversationDetail:
    """Take a waiting conversation: the bot goes silent and the citizen sees an officer."""
    services.inbox.claim(conversation_id, user.username)
    return open_conversation(services.inbox, pii, user.username, conversation_id)


@router.post("/conversations/{conversation_id}/release")
async def release(conversation_id: int, user: SupportUser, services: StaffDep,
                  pii: PiiDep, zalo: ZaloDep, rasa: RasaDep) -> ConversationDetail:
    """Hand the conversation back to the bot, telling the citizen so (``messages.yml``)."""
    notice = fill_office(desk_messages()["release"], services.kb.office_info())
    sent = services.inbox.release(conversation_id, user.username,
                                  any_staff=user.role == ROLE_ADMIN, notice=notice)
    if sent is not None:
        message, target = sent
        status = await deliver(zalo, target.channel, target.user_id, message.text)
        if status != message.delivery:
            services.inbox.set_delivery(message.id, status)
        await reset_handoff_slot(rasa, f"{target.channel}:{target.user_id}")
    return open_conversation(services.inbox, pii, user.username, conversation_id)


@router.post("/conversations/{conversation_id}/reply")
async def reply(conversation_id: int, body: ReplyIn, user: SupportUser, services: StaffDep,
                zalo: ZaloDep) -> dict[str, Any]:
    """Send a reply to the citizen (web: via the widget's polling; Zalo: via the OA)."""
    message, target = services.inbox.add_reply(conversation_id, user.username, body.text,
                                               DELIVERY_WEB)
    status = await deliver(zalo, target.channel, target.user_id, message.text)
    if status != message.delivery:
        services.inbox.set_delivery(message.id, status)
        message = message.model_copy(update={"delivery": status})
    return {"message": message}


@router.get("/suggestions")
def suggestions(services: StaffDep,
                q: Annotated[str, Query(max_length=2000)] = "",
                conversation_id: Annotated[int | None, Query(ge=1)] = None) -> SuggestionsOut:
    """Up to 3 ready-to-send reply drafts, each with its source and confidence.

    With ``conversation_id`` they come from the conversation (the procedure and
    case under discussion, the question the citizen actually asked); with ``q``
    alone, from that one message.
    """
    if not services.kb.ready:
        raise StaffError(503, "kb_not_ready")
    suggester = services.suggester
    if suggester is None:
        raise StaffError(503, "kb_not_ready")
    if conversation_id is not None:
        context = services.inbox.context(conversation_id, settings()["context_turns"])
        return suggester.for_conversation(context)
    return suggester.for_text(q)


@router.get("/history")
def history(services: StaffDep,
            text: Annotated[str, Query(max_length=200)] = "",
            procedure: Annotated[str, Query(max_length=100)] = "",
            channel: Annotated[str, Query(max_length=32)] = "",
            date_from: date | None = None, date_to: date | None = None,
            outcome: Annotated[str, Query(max_length=16)] = "",
            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """Every conversation (masked), filtered by text, procedure, channel, days and outcome."""
    query = HistoryQuery(text=text, procedure=procedure, channel=channel, date_from=date_from,
                         date_to=date_to, outcome=outcome, limit=limit)
    return {"items": _history_service(services).search(query)}


@router.get("/history/export.csv")
def history_csv(user: SupportUser, services: StaffDep, date_from: date,
                date_to: date) -> Response:
    """Admins only: every turn and staff message of a range of days, masked, as CSV."""
    if user.role != ROLE_ADMIN:
        raise StaffError(403, "forbidden")
    body = _history_service(services).export_csv(date_from, date_to)
    name = f"conversations-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@router.get("/history/{conversation_id}")
def history_detail(conversation_id: int, services: StaffDep) -> HistoryDetail:
    """A past conversation: its masked turns, outcome and ratings."""
    return _history_service(services).open(conversation_id)


def _history_service(services) -> HistoryService:
    return HistoryService(services.sessions, services.inbox, services.kb)


@router.post("/proposals", status_code=201)
def propose(body: ProposalIn, user: SupportUser, services: StaffDep) -> ProposalOut:
    """Propose a new FAQ entry or a new phrasing for the admins' review queue."""
    return services.proposals.propose(body, user.username)
