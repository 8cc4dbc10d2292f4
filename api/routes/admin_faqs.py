"""Admin API for FAQ entries: list with search and paging, create, read, update, delete.

Updates and deletes carry the version the admin edited; a save on a stale
version gets 409 with a plain explanation and changes nothing. Every change
goes through the knowledge base's FAQ store, which audits it and bumps the
revision that search processes poll, so the bot answers with it within seconds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.admin.overlap import OverlapIn, find_overlaps
from api.admin.schemas import FaqIn
from api.auth.deps import AdminUser, StaffDep, require_admin
from api.auth.errors import StaffError
from knowledge_base.models import Faq

router = APIRouter(prefix="/api/admin/faqs", tags=["admin"],
                   dependencies=[Depends(require_admin)])


@router.get("")
def list_faqs(
    services: StaffDep,
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    status: Literal["all", "published"] = "all",
) -> dict[str, Any]:
    """Entries whose question or answer contains ``q``, newest first, one page at a time."""
    items, total = services.kb.faqs.list(q, offset=offset, limit=limit,
                                         include_drafts=status == "all")
    return {"items": items, "total": total, "offset": offset, "limit": limit}


@router.post("", status_code=201)
def create_faq(body: FaqIn, user: AdminUser, services: StaffDep) -> Faq:
    """Create an entry (version 1)."""
    faq = services.kb.faqs.create(body.to_faq(), actor=user.username)
    services.knowledge_changed()
    return faq


@router.post("/overlaps")
def overlaps(body: OverlapIn, services: StaffDep) -> dict[str, Any]:
    """Existing FAQ entries and procedures that would compete for this entry's phrasings."""
    if not services.kb.ready:
        raise StaffError(503, "kb_not_ready")
    return {"items": find_overlaps(services.kb, body)}


@router.get("/{faq_id}")
def read_faq(faq_id: int, services: StaffDep) -> Faq:
    """One entry with its current version."""
    return services.kb.faqs.get(faq_id)


@router.put("/{faq_id}")
def update_faq(faq_id: int, body: FaqIn, user: AdminUser, services: StaffDep) -> Faq:
    """Save an edit made on ``body.version``; 409 if someone saved in between."""
    if body.version is None:
        raise StaffError(422, "version_required")
    faq = services.kb.faqs.update(faq_id, body.to_faq(), body.version, actor=user.username)
    services.knowledge_changed()
    return faq


@router.delete("/{faq_id}", status_code=204)
def delete_faq(faq_id: int, user: AdminUser, services: StaffDep,
               version: Annotated[int | None, Query()] = None) -> Response:
    """Delete an entry (with ``?version=`` the delete is refused if it changed since)."""
    services.kb.faqs.delete(faq_id, version, actor=user.username)
    services.knowledge_changed()
    return Response(status_code=204)
