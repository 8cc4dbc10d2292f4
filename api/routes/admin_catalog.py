"""Admin API for the catalog: preview a re-import, confirm it, list flagged records."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api.admin.schemas import CatalogApplyIn
from api.auth.deps import AdminUser, ServicesDep, require_admin

router = APIRouter(prefix="/api/admin/catalog", tags=["admin"],
                   dependencies=[Depends(require_admin)])


@router.post("/preview")
def preview(services: ServicesDep) -> dict[str, Any]:
    """Read the configured catalog source and show what would be added, changed, removed."""
    return services.catalog.preview()


@router.post("/apply")
def apply(body: CatalogApplyIn, user: AdminUser, services: ServicesDep) -> dict[str, Any]:
    """Apply the previewed import (409 if the source or the store changed since the preview)."""
    applied = services.catalog.apply(body.token, user.username)
    services.knowledge_changed()
    return applied


@router.get("/flagged")
def flagged(services: ServicesDep) -> dict[str, Any]:
    """List records kept out of answers (e.g. a page saved under another procedure's code)."""
    return {"items": services.catalog.flagged()}
