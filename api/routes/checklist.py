"""``GET /thu-tuc/{code}``: the printable checklist page of a procedure (server-rendered)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from actions.compose import AnswerComposer
from actions.registry import plain_edits
from api.checklist import catalog_date_text, not_found_page, render_checklist
from knowledge_base.errors import NotFoundError
from knowledge_base.plain import PlainData

router = APIRouter(tags=["pages"])


def _composer(request: Request) -> AnswerComposer:
    """One composer per app (the chat's templates, names and facts), built on first use."""
    state = request.app.state
    composer = getattr(state, "checklist_composer", None)
    if composer is None:
        composer = AnswerComposer(state.templates, plain=PlainData.load(),
                                  base_url=state.settings.base_url, edits=plain_edits(state.kb))
        state.checklist_composer = composer
    return composer


@router.get("/thu-tuc/{code}", response_class=HTMLResponse, include_in_schema=False)
def checklist_page(request: Request, code: str,
                   case: Annotated[int | None, Query(ge=1, le=50)] = None) -> HTMLResponse:
    """The checklist of one procedure (``?case=`` picks a case); unknown code: Vietnamese 404."""
    kb = request.app.state.kb
    try:
        procedure = kb.procedure(code) if len(code) <= 32 else None
    except NotFoundError:
        procedure = None
    if procedure is None or not procedure.answerable:
        return HTMLResponse(not_found_page(code), status_code=404,
                            headers={"Cache-Control": "no-cache"})
    html = render_checklist(_composer(request), procedure, kb.office_info(),
                            catalog_date_text(kb.catalog_date()), case)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})
