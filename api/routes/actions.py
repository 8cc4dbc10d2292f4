"""``POST /webhook``: Rasa's action endpoint, served by the app (rasa-sdk executor).

Actions share the app's knowledge base, loaded once. Errors are mapped to the
status codes rasa-sdk's own server uses, so Rasa behaves the same.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from api.config import AppSettings
from api.deps import ExecutorDep, SettingsDep

logger = logging.getLogger(__name__)
router = APIRouter(tags=["rasa actions"])
ACTION_TOKEN_HEADER = "X-Action-Token"  # bot/endpoints.yml sends it

try:  # rasa-sdk >= 3.10
    from rasa_sdk.interfaces import ActionMissingDomainException
except ImportError:  # pragma: no cover
    ActionMissingDomainException = ActionNotFoundException  # type: ignore[misc,assignment,unused-ignore]


def _authorised(request: Request, settings: AppSettings) -> bool:
    """Only Rasa may run actions: it sends the token the launcher shares (``TTHC_ACTION_TOKEN``).

    Without a configured token (tests that start no Rasa) the endpoint stays open.
    """
    token = settings.action_token
    if token is None or not token.get_secret_value():
        return True
    sent = request.headers.get(ACTION_TOKEN_HEADER, "")
    return hmac.compare_digest(sent.encode(), token.get_secret_value().encode())


@router.post("/webhook")
async def run_action(request: Request, executor: ExecutorDep,
                     settings: SettingsDep) -> JSONResponse:
    """Run the action Rasa asks for and return its events and messages.

    The body (the tracker, sent by Rasa on every call) is read as plain JSON:
    validating it field by field would cost more than running the action.
    """
    if not _authorised(request, settings):
        logger.warning("action call without the shared token refused")
        return JSONResponse({"error": "Unauthorized"}, 401)
    try:
        action_call: Any = await request.json()
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        return JSONResponse({"error": "Invalid body request"}, 400)
    if not isinstance(action_call, dict):
        return JSONResponse({"error": "Invalid body request"}, 400)
    # endpoints.yml enables Rasa's selective domain: the domain is not sent with every
    # call (our actions never read it). rasa-sdk would answer 449 for a missing domain,
    # which Rasa 3.6 does not understand, so an empty one stands in.
    action_call.setdefault("domain", {})
    try:
        result = await executor.run(action_call)
    except ActionExecutionRejection as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, 400)
    except ActionNotFoundException as error:
        logger.error("unknown action %s", error.action_name)
        return JSONResponse({"error": error.message, "action_name": error.action_name}, 404)
    except ActionMissingDomainException as error:
        return JSONResponse({"error": error.message, "action_name": error.action_name}, 449)
    return JSONResponse(result.model_dump() if result else None)
