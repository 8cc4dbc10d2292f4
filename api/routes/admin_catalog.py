"""Admin API for the catalog: preview a re-import, confirm it, list flagged records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.admin.catalog_browser import CatalogBrowser, explain_flag
from api.admin.schemas import CatalogApplyIn
from api.auth.deps import AdminUser, StaffDep, require_admin
from api.auth.errors import StaffError

router = APIRouter(prefix="/api/admin/catalog", tags=["admin"],
                   dependencies=[Depends(require_admin)])


@router.post("/preview")
def preview(services: StaffDep) -> dict[str, Any]:
    """Read the configured catalog source and show what would be added, changed, removed."""
    return services.catalog.preview()


@router.post("/apply")
def apply(body: CatalogApplyIn, user: AdminUser, services: StaffDep) -> dict[str, Any]:
    """Apply the previewed import (409 if the source or the store changed since the preview)."""
    applied = services.catalog.apply(body.token, user.username)
    services.knowledge_changed()
    return applied


@router.get("/flagged")
def flagged(services: StaffDep) -> dict[str, Any]:
    """List records kept out of answers (e.g. a page saved under another procedure's code)."""
    return {"items": [item | {"reasons": [explain_flag(item["code"], f) for f in item["flags"]]}
                      for item in services.catalog.flagged()]}


@router.get("/procedures")
def procedures(services: StaffDep,
               q: Annotated[str, Query(max_length=200)] = "",
               status: Annotated[str, Query(max_length=16)] = "all",
               field: Annotated[str, Query(max_length=255)] = "",
               offset: Annotated[int, Query(ge=0)] = 0,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """Stored procedures whose code or name contains ``q``, by status and field."""
    return _browser(services).search(q, status, field, offset, limit)


@router.get("/procedures/{code}")
def procedure(code: Annotated[str, Path(max_length=32)], services: StaffDep) -> dict[str, Any]:
    """One procedure as parsed, its flags explained and the first reply a citizen gets."""
    return _browser(services).detail(code)


def _browser(services) -> CatalogBrowser:
    suggester = services.suggester
    if suggester is None:
        raise StaffError(503, "kb_not_ready")
    return CatalogBrowser(services.kb, suggester.templates)
