"""Admin API for the plain-language names: a short name per procedure and per document.

Edits are stored apart from the catalog (``knowledge_base/plain_store.py``), audited,
and kept across re-imports; answers and the checklist page use them within seconds.
The official text is returned beside every short name so an admin never edits blind.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.auth.deps import AdminUser, StaffDep, require_admin
from api.auth.errors import StaffError
from knowledge_base.models import Procedure
from knowledge_base.plain import PlainData, document_key
from knowledge_base.plain_store import NAME_TARGET, PlainNameStore

router = APIRouter(prefix="/api/admin/plain-names", tags=["admin"],
                   dependencies=[Depends(require_admin)])
MAX_NAME = 200


class PlainNamesIn(BaseModel):
    """Short names to set; an empty text removes an edit (the team's or derived name returns)."""

    name: str | None = Field(default=None, max_length=MAX_NAME)
    documents: dict[str, str] = Field(default_factory=dict, max_length=200)


def _documents(procedure: Procedure) -> dict[str, str]:
    """Key → official text of every document of the procedure (one entry per distinct text)."""
    return {document_key(d.name): " ".join(d.name.split())
            for g in procedure.document_groups for d in g.documents}


def _view(procedure: Procedure, store: PlainNameStore, plain: PlainData) -> dict[str, Any]:
    edits = {f"{procedure.code}:{k}": v for k, v in store.edits_of(procedure.code).items()}
    own = store.edits_of(procedure.code)
    return {
        "code": procedure.code, "official_name": procedure.name,
        "name": plain.procedure_name(procedure.code, procedure.name, edits),
        "edited_name": own.get(NAME_TARGET),
        "documents": [{"key": key, "official": text,
                       "name": plain.document_name(procedure.code, text, edits),
                       "edited": own.get(key)}
                      for key, text in _documents(procedure).items()],
    }


def _store(services: Any) -> PlainNameStore:
    return PlainNameStore(services.kb.store)


@router.get("/{code}")
def read_plain_names(code: str, services: StaffDep) -> dict[str, Any]:
    """The procedure's short name and its documents' short names, beside the official text."""
    procedure = services.kb.store.procedure(code)
    return _view(procedure, _store(services), PlainData.load())


@router.put("/{code}")
def write_plain_names(code: str, body: PlainNamesIn, user: AdminUser,
                      services: StaffDep) -> dict[str, Any]:
    """Set (or with "" remove) short names; each change is audited."""
    procedure = services.kb.store.procedure(code)
    known = _documents(procedure)
    unknown = [key for key in body.documents if key not in known]
    if unknown:
        raise StaffError(422, "plain_unknown_document", key=unknown[0][:20])
    if any(len(text) > MAX_NAME for text in body.documents.values()):
        raise StaffError(422, "plain_name_too_long", max=MAX_NAME)
    store = _store(services)
    if body.name is not None:
        store.set(code, NAME_TARGET, body.name, user.username)
    for key, text in body.documents.items():
        store.set(code, key, text, user.username)
    return _view(procedure, store, PlainData.load())
