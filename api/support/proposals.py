"""Proposals from support to admins: a new FAQ entry, or a new phrasing of a procedure/FAQ.

Accepting one applies it through the knowledge base's own API (FAQ store or
aliases), so it is audited, bumps the revision and becomes searchable within
seconds like any admin edit.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from api.auth.errors import StaffError
from api.auth.models import as_utc
from api.support.models import (
    PROPOSAL_FAQ,
    PROPOSAL_PHRASING,
    STATUS_ACCEPTED,
    STATUS_PENDING,
    STATUS_REJECTED,
    ProposalRow,
)
from api.support.schemas import ProposalIn, ProposalOut
from knowledge_base.db import utcnow
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.models import Faq
from knowledge_base.service import KnowledgeBase

TARGET_TYPES = ("procedure", "faq")


def validate_proposal(data: ProposalIn) -> ProposalIn:
    """Check a proposal is complete, with plain messages for the staff member."""
    kind = data.kind.strip()
    if kind == PROPOSAL_FAQ:
        if not " ".join(data.question.split()):
            raise StaffError(422, "proposal_question_required")
        if not data.answer.strip():
            raise StaffError(422, "proposal_answer_required")
    elif kind == PROPOSAL_PHRASING:
        if data.target_type not in TARGET_TYPES or not (data.target_id or "").strip():
            raise StaffError(422, "proposal_target_required")
        if not " ".join(data.text.split()):
            raise StaffError(422, "proposal_text_required")
    else:
        raise StaffError(422, "proposal_invalid_kind")
    return data.model_copy(update={"kind": kind, "question": " ".join(data.question.split()),
                                   "answer": data.answer.strip(),
                                   "text": " ".join(data.text.split())})


def _out(row: ProposalRow, title: str = "") -> ProposalOut:
    return ProposalOut(
        id=row.id, kind=row.kind, status=row.status, question=row.question, answer=row.answer,
        target_type=row.target_type, target_id=row.target_id, target_title=title,
        conversation_id=row.conversation_id, proposed_by=row.proposed_by,
        created_at=as_utc(row.created_at), decided_by=row.decided_by,
        decided_at=as_utc(row.decided_at) if row.decided_at else None, result_ref=row.result_ref)


class ProposalService:
    """The review queue on the shared database."""

    def __init__(self, sessions: sessionmaker, kb: KnowledgeBase) -> None:
        self.sessions = sessions
        self.kb = kb

    def propose(self, data: ProposalIn, username: str) -> ProposalOut:
        """Queue a proposal for admin review."""
        data = validate_proposal(data)
        if data.kind == PROPOSAL_PHRASING:
            self._target_title(data.target_type, data.target_id)  # 404 if unknown
        row = ProposalRow(kind=data.kind, question=data.question, answer=data.answer,
                          conversation_id=data.conversation_id, proposed_by=username)
        if data.kind == PROPOSAL_PHRASING:
            # a phrasing proposal keeps its text in ``question`` and names its target
            row.question, row.answer = data.text, ""
            row.target_type, row.target_id = data.target_type, (data.target_id or "").strip()
        with self.sessions.begin() as session:
            session.add(row)
            session.flush()
            return _out(row)

    def list(self, status: str = STATUS_PENDING, limit: int = 100) -> list[ProposalOut]:
        """Proposals with ``status`` (oldest pending first; decided ones newest first)."""
        order = (ProposalRow.id.asc() if status == STATUS_PENDING else ProposalRow.id.desc())
        with self.sessions() as session:
            rows = list(session.scalars(select(ProposalRow).where(ProposalRow.status == status)
                                        .order_by(order).limit(max(1, min(limit, 500)))))
        return [_out(row, self._title_or_blank(row)) for row in rows]

    def accept(self, proposal_id: int, edits: dict[str, str | None] | None, admin: str,
               published: bool = True) -> ProposalOut:
        """Apply a proposal (with the admin's edits, if any) and mark it accepted.

        Args:
            proposal_id: the pending proposal.
            edits: changed fields (``question``, ``answer``, ``text``, ``target_type``,
                ``target_id``); missing or None fields keep the proposed value.
            admin: who accepts (recorded in the audit log).
            published: publish an accepted FAQ entry at once (else it is a draft).

        """
        row = self._pending(proposal_id)
        proposed = {"question": row.question, "answer": row.answer, "text": row.question,
                    "target_type": row.target_type, "target_id": row.target_id}
        changed = {k: v for k, v in (edits or {}).items() if k in proposed and v is not None}
        data = validate_proposal(ProposalIn.model_validate({"kind": row.kind, **proposed,
                                                            **changed}))
        if data.kind == PROPOSAL_FAQ:
            faq = self.kb.faqs.create(Faq(question=data.question, answer=data.answer,
                                          owner=row.proposed_by, published=published),
                                      actor=admin)
            ref = f"faq:{faq.id}"
        elif data.target_type == "procedure":
            alias = self.kb.store.add_alias(str(data.target_id), data.text, admin, "proposal")
            ref = f"alias:{alias.id}"
        else:
            ref = self._add_faq_phrasing(int(str(data.target_id)), data.text, admin)
        return self._decide(proposal_id, STATUS_ACCEPTED, admin, ref)

    def reject(self, proposal_id: int, admin: str) -> ProposalOut:
        """Mark a pending proposal rejected; nothing changes in the knowledge base."""
        self._pending(proposal_id)
        return self._decide(proposal_id, STATUS_REJECTED, admin, None)

    def _add_faq_phrasing(self, faq_id: int, text: str, admin: str) -> str:
        faq = self.kb.faqs.get(faq_id)
        if text not in faq.phrasings:
            self.kb.faqs.update(faq_id, faq.model_copy(update={
                "phrasings": [*faq.phrasings, text]}), faq.version, admin)
        return f"faq:{faq_id}"

    def _pending(self, proposal_id: int) -> ProposalRow:
        with self.sessions() as session:
            row = session.get(ProposalRow, proposal_id)
        if row is None:
            raise StaffError(404, "not_found")
        if row.status != STATUS_PENDING:
            raise StaffError(409, "proposal_decided")
        return row

    def _decide(self, proposal_id: int, status: str, admin: str, ref: str | None) -> ProposalOut:
        with self.sessions.begin() as session:
            result = session.execute(update(ProposalRow).where(
                ProposalRow.id == proposal_id, ProposalRow.status == STATUS_PENDING).values(
                status=status, decided_by=admin, decided_at=utcnow(), result_ref=ref))
            if result.rowcount != 1:
                raise StaffError(409, "proposal_decided")
            return _out(session.get(ProposalRow, proposal_id))

    def _target_title(self, target_type: str | None, target_id: str | None) -> str:
        if target_type == "procedure":
            return self.kb.procedure(str(target_id)).name
        if not str(target_id).isdigit():
            raise StaffError(422, "proposal_target_required")
        return self.kb.faq(int(str(target_id))).question

    def _title_or_blank(self, row: ProposalRow) -> str:
        if row.kind != PROPOSAL_PHRASING:
            return ""
        try:
            return self._target_title(row.target_type, row.target_id)
        except (StaffError, KnowledgeBaseError):  # the target was deleted since
            return ""
