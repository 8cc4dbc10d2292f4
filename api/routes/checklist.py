"""``GET /thu-tuc/{code}``: the printable checklist page of a procedure (server-rendered)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.checklist import catalog_date_text, not_found_page, render_checklist
from api.deps import ChecklistDep, KnowledgeBaseDep
from knowledge_base.errors import NotFoundError

router = APIRouter(tags=["pages"])


@router.get("/thu-tuc/{code}", response_class=HTMLResponse, include_in_schema=False)
def checklist_page(kb: KnowledgeBaseDep, composer: ChecklistDep, code: str,
                   case: Annotated[int | None, Query(ge=1, le=50)] = None) -> HTMLResponse:
    """The checklist of one procedure (``?case=`` picks a case); unknown code: Vietnamese 404."""
    try:
        procedure = kb.procedure(code) if len(code) <= 32 else None
    except NotFoundError:
        procedure = None
    if procedure is None or not procedure.answerable:
        return HTMLResponse(not_found_page(code), status_code=404,
                            headers={"Cache-Control": "no-cache"})
    html = render_checklist(composer, procedure, kb.office_info(),
                            catalog_date_text(kb.catalog_date()), case)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
