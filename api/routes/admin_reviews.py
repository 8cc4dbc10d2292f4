"""Admin review queue: proposals from support, accepted (possibly edited) or rejected."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends

from api.admin.schemas import AcceptIn
from api.auth.deps import AdminUser, StaffDep, require_admin
from api.support.schemas import ProposalOut

router = APIRouter(prefix="/api/admin/reviews", tags=["admin"],
                   dependencies=[Depends(require_admin)])


@router.get("")
def list_reviews(services: StaffDep,
                 status: Literal["pending", "accepted", "rejected"] = "pending") -> dict[str, Any]:
    """Proposals with ``status`` (pending: oldest first)."""
    return {"items": services.proposals.list(status)}


@router.post("/{proposal_id}/accept")
def accept(proposal_id: int, user: AdminUser, services: StaffDep,
           body: AcceptIn | None = None) -> ProposalOut:
    """Apply a proposal, with the admin's edits when given."""
    edits = body.model_dump(exclude={"published"}) if body is not None else None
    published = body.published if body is not None else True
    accepted = services.proposals.accept(proposal_id, edits, user.username, published)
    services.knowledge_changed()
    return accepted


@router.post("/{proposal_id}/reject")
def reject(proposal_id: int, user: AdminUser, services: StaffDep) -> ProposalOut:
    """Reject a proposal; nothing changes in the knowledge base."""
    return services.proposals.reject(proposal_id, user.username)
