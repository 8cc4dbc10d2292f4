"""The opened conversation in the support console: unmasked citizen text for staff, audited.

Lists, previews, suggestions, analytics and exports use the masked turns; only
the opened conversation (the detail, claim and release responses) shows the
originals kept encrypted by :mod:`api.pii`. Each staff member's view of a
conversation's personal data goes to the knowledge base's audit log (entity
``conversation_pii``, visible in the admin console), at most once per user and
conversation every ``AUDIT_WINDOW``, because the console re-fetches the open
conversation every few seconds.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from api.pii import Originals, PiiVault
from api.support.inbox import InboxService
from api.support.schemas import ConversationDetail
from knowledge_base.db import AuditRow, utcnow
from knowledge_base.store import audit

logger = logging.getLogger(__name__)
AUDIT_ENTITY = "conversation_pii"
AUDIT_ACTION = "view"
AUDIT_WINDOW = timedelta(minutes=15)


def open_conversation(inbox: InboxService, vault: PiiVault | None, viewer: str,
                      conversation_id: int) -> ConversationDetail:
    """The transcript with the citizen's original text where it is kept and readable."""
    found = vault.originals(conversation_id) if vault is not None else Originals()
    detail = inbox.detail(conversation_id, found.texts)  # 404 before anything is audited
    if found.texts:
        record_view(inbox.sessions, viewer, conversation_id, len(found.texts))
    detail.personal_data_unreadable = found.unreadable
    return detail


def record_view(sessions: sessionmaker, viewer: str, conversation_id: int, turns: int,
                now: datetime | None = None) -> bool:
    """Audit that ``viewer`` saw the conversation's personal data; False if audited recently."""
    now = now or utcnow()
    entity_id = str(conversation_id)
    with sessions.begin() as session:
        recent = session.scalar(select(AuditRow.id).where(
            AuditRow.entity == AUDIT_ENTITY, AuditRow.entity_id == entity_id,
            AuditRow.actor == viewer, AuditRow.at >= now - AUDIT_WINDOW).limit(1))
        if recent is not None:
            return False
        audit(session, viewer, AUDIT_ACTION, AUDIT_ENTITY, entity_id, None, {"turns": turns})
    logger.info("staff %s viewed personal data of conversation %d", viewer, conversation_id)
    return True
