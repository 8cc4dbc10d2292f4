"""``GET /health``: is the app up, is the search index loaded, is Rasa reachable."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.rasa_client import summarize

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(services: ServicesDep) -> dict[str, object]:
    """Always 200 while the app runs; the body tells what works (degraded mode if Rasa is down)."""
    error = services.warm_up_error
    index = "ready" if services.kb.ready else ("error: " + error if error else "loading")
    servers = await services.rasa.statuses()
    body: dict[str, object] = {"status": "ok", "app": "ok", "index": index,
                               "rasa": summarize(servers),
                               "degraded": "ok" not in servers.values()}
    if len(servers) > 1:
        body["rasa_servers"] = servers
    return body
