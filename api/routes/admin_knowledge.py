"""Admin API for the rest of the knowledge base: procedure phrasings, office info, audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.admin.schemas import AliasIn, OfficeIn
from api.auth.deps import AdminUser, StaffDep, require_admin
from api.auth.errors import StaffError
from api.auth.models import as_utc
from knowledge_base.text import fold, normalize

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])

OFFICE_KEYS = ("office_name", "office_address", "office_hours", "office_phone", "office_email",
               "office_map_url", "hotline", "national_portal_url", "city_portal_url")
MAX_OFFICE_VALUE = 1000


def _alias(row) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "text": row.text, "origin": row.origin,
            "created_by": row.created_by, "created_at": as_utc(row.created_at)}


@router.get("/procedures")
def list_procedures(
    services: StaffDep,
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Procedures whose code or name contains ``q`` (accents optional), with phrasing counts."""
    needle = fold(normalize(q))
    procedures = services.kb.store.procedures(include_flagged=True)
    matches = [p for p in procedures if not needle or needle in p.code
               or needle in fold(normalize(p.name))]
    aliases = services.kb.store.aliases()
    page = matches[offset: offset + limit]
    return {"items": [{"code": p.code, "name": p.name, "field": p.field, "flags": p.flags,
                       "aliases": len(aliases.get(p.code, []))} for p in page],
            "total": len(matches), "offset": offset, "limit": limit}


@router.get("/procedures/{code}")
def read_procedure(code: str, services: StaffDep) -> dict[str, Any]:
    """Return a procedure's name, flags, official link and its phrasings."""
    procedure = services.kb.store.procedure(code)
    return {"code": procedure.code, "name": procedure.name, "field": procedure.field,
            "flags": procedure.flags, "official_url": procedure.official_url,
            "aliases": [_alias(row) for row in services.kb.store.alias_rows(code)]}


@router.post("/procedures/{code}/aliases", status_code=201)
def add_alias(code: str, body: AliasIn, user: AdminUser, services: StaffDep) -> dict[str, Any]:
    """Add a way citizens name this procedure (searchable within seconds)."""
    alias = _alias(services.kb.store.add_alias(code, body.text, user.username))
    services.knowledge_changed()
    return alias


@router.delete("/aliases/{alias_id}", status_code=204)
def remove_alias(alias_id: int, user: AdminUser, services: StaffDep) -> Response:
    """Remove a phrasing (a removed seed phrasing stays removed after re-imports)."""
    services.kb.store.remove_alias(alias_id, user.username)
    services.knowledge_changed()
    return Response(status_code=204)


@router.get("/office")
def read_office(services: StaffDep) -> dict[str, Any]:
    """Return the office facts used in "where/when" answers and FAQ answers."""
    values = services.kb.office_info()
    return {"keys": list(OFFICE_KEYS), "values": {k: values.get(k, "") for k in OFFICE_KEYS}}


@router.put("/office")
def update_office(body: OfficeIn, user: AdminUser, services: StaffDep) -> dict[str, Any]:
    """Change office facts (audited); unknown keys are refused."""
    for key, value in body.values.items():
        if key not in OFFICE_KEYS:
            raise StaffError(422, "office_unknown_key", key=key)
        if len(value) > MAX_OFFICE_VALUE:
            raise StaffError(422, "office_value_too_long", key=key, max=MAX_OFFICE_VALUE)
    values = services.kb.store.set_office_info(body.values, user.username)
    services.knowledge_changed()
    return {"keys": list(OFFICE_KEYS), "values": {k: values.get(k, "") for k in OFFICE_KEYS}}


@router.get("/audit")
def audit_log(
    services: StaffDep,
    entity: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Who changed what and when, with the state before and after, newest first."""
    rows = services.kb.store.audit_log(entity=entity or None, limit=limit)
    return {"items": [{"id": r.id, "at": as_utc(r.at), "actor": r.actor, "action": r.action,
                       "entity": r.entity, "entity_id": r.entity_id, "before": r.before,
                       "after": r.after} for r in rows]}
