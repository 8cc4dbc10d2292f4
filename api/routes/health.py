"""``GET /health``: is the app up, is the search index loaded, is Rasa reachable."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import KnowledgeBaseDep, RasaDep
from api.rasa_client import summarize

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(request: Request, kb: KnowledgeBaseDep, rasa: RasaDep) -> dict[str, object]:
    """Always 200 while the app runs; the body tells what works (degraded mode if Rasa is down)."""
    warm_up_error = getattr(request.app.state, "warm_up_error", None)
    index = "ready" if kb.ready else ("error: " + warm_up_error if warm_up_error else "loading")
    servers = await rasa.statuses()
    body: dict[str, object] = {"status": "ok", "app": "ok", "index": index,
                               "rasa": summarize(servers),
                               "degraded": "ok" not in servers.values()}
    if len(servers) > 1:
        body["rasa_servers"] = servers
    return body
