"""``GET /health``: is the app up, is the search index loaded, is Rasa reachable."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import KnowledgeBaseDep, RasaDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request, kb: KnowledgeBaseDep, rasa: RasaDep) -> dict[str, object]:
    """Always 200 while the app runs; the body tells what works (degraded mode if Rasa is down)."""
    warm_up_error = getattr(request.app.state, "warm_up_error", None)
    index = "ready" if kb.ready else ("error: " + warm_up_error if warm_up_error else "loading")
    rasa_status = await rasa.status()
    return {"status": "ok", "app": "ok", "index": index, "rasa": rasa_status,
            "degraded": rasa_status != "ok"}
