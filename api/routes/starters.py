"""``GET /api/chat/starters``: the starter questions of the widget's welcome screen (data)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from fastapi import APIRouter
from fastapi.responses import JSONResponse

STARTERS_FILE = Path(__file__).resolve().parent.parent / "data" / "starters.yml"
MAX_STARTERS = 4

router = APIRouter(tags=["chat"])


@lru_cache(maxsize=1)
def starter_questions() -> list[str]:
    """The team's starter questions (at most four, blanks dropped)."""
    data = yaml.safe_load(STARTERS_FILE.read_text(encoding="utf-8")) or {}
    return [str(q).strip() for q in data.get("questions") or [] if str(q).strip()][:MAX_STARTERS]


@router.get("/api/chat/starters")
def starters() -> JSONResponse:
    """Starter questions; cached briefly by browsers (they change with deployments)."""
    return JSONResponse({"questions": starter_questions()},
                        headers={"Cache-Control": "public, max-age=300"})
