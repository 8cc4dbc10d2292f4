"""One exception handler per error family, installed by ``create_app``.

Routes and services raise the domain's own exceptions; this module turns each
family into one clear JSON answer, so no route maps errors itself and no client
ever sees a stack trace:

- request validation (FastAPI's ``RequestValidationError``): 422 with one readable
  sentence from the bot's responses (the widget shows it) and the field problems;
- bodies the parser cannot read (``RecursionError``: JSON nested too deep): 400;
- knowledge-base errors (:mod:`knowledge_base.errors`): unknown entity 404, edit
  conflict 409, input breaking a rule 422, index not built 503;
- staff-account errors (:class:`api.auth.users.AccountError`): 404/409/422;
- storage: a number beyond the database's integer range 404 (no such record can
  exist), a database that cannot answer now (locked, unreachable) 503;
- anything else: a generic 500, logged with its traceback, never sent.

Texts are data: citizen-facing ones in ``api/data/security.yml`` and the bot's
domain, staff-facing ones in ``api/auth/messages.yml``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError

from api.auth.messages import message
from api.auth.users import AccountError
from api.security import text
from knowledge_base.errors import (
    IndexNotReadyError,
    InvalidInputError,
    KnowledgeBaseError,
    NotFoundError,
    VersionConflictError,
)

logger = logging.getLogger(__name__)
STORAGE_RETRY_AFTER_S = 5


def install_error_handlers(app: FastAPI) -> None:
    """Register every family's handler on ``app``."""
    app.add_exception_handler(Exception, server_error)
    app.add_exception_handler(RequestValidationError, request_invalid)  # type: ignore[arg-type]
    app.add_exception_handler(RecursionError, bad_body)
    app.add_exception_handler(KnowledgeBaseError, knowledge_base_error)  # type: ignore[arg-type]
    app.add_exception_handler(AccountError, account_error)  # type: ignore[arg-type]
    app.add_exception_handler(OverflowError, out_of_range)  # SQLite: int beyond 64 bits
    app.add_exception_handler(DataError, out_of_range)  # PostgreSQL: numeric value out of range
    app.add_exception_handler(OperationalError, storage_unavailable)


async def request_invalid(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 with one readable sentence in ``detail`` (the widget shows it) and the field problems."""
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}"
                         for e in error.errors())
    services = request.app.state.services  # None only before the lifespan ran
    detail = services.templates.text("utter_invalid_request") if services else problems
    # Not error.errors() itself: its "input" may hold raw request bytes (not JSON-serialisable,
    # and an echo of what the citizen sent).
    return JSONResponse(status_code=422, content={"detail": detail, "problems": problems})


async def bad_body(request: Request, error: Exception) -> JSONResponse:
    """400 for bodies too deeply nested to parse (``RecursionError``), never a 500."""
    logger.warning("unparseable body on %s %s (%s)", request.method, request.url.path,
                   type(error).__name__)
    return JSONResponse(status_code=400, content={"detail": text("bad_body")})


def knowledge_base_status(error: KnowledgeBaseError) -> tuple[int, str] | None:
    """The HTTP status and plain message of a knowledge-base error (None: not the client's)."""
    if isinstance(error, NotFoundError):
        return 404, message("not_found")
    if isinstance(error, VersionConflictError):
        return 409, message("version_conflict", expected=error.expected, actual=error.actual)
    if isinstance(error, InvalidInputError):
        return 422, str(error)  # written for the person who typed the input
    if isinstance(error, IndexNotReadyError):
        return 503, message("kb_not_ready")
    return None


async def knowledge_base_error(request: Request, error: KnowledgeBaseError) -> JSONResponse:
    """Answer a knowledge-base error with its status and a plain staff-facing sentence."""
    mapped = knowledge_base_status(error)
    if mapped is None:
        return await server_error(request, error)
    status, detail = mapped
    logger.info("%s on %s %s: %d", type(error).__name__, request.method, request.url.path,
                status)
    return JSONResponse(status_code=status, content={"detail": detail})


async def account_error(request: Request, error: AccountError) -> JSONResponse:
    """A refused account change: unknown user 404, existing user 409, anything else 422."""
    status = {"user_not_found": 404, "user_exists": 409}.get(error.key, 422)
    return JSONResponse(status_code=status, content={"detail": message(error.key,
                                                                       **error.values)})


async def out_of_range(request: Request, error: Exception) -> JSONResponse:
    """Answer 404 for ids beyond the database's integer range: no such record can exist."""
    logger.info("out-of-range number on %s %s (%s)", request.method, request.url.path,
                type(error).__name__)
    return JSONResponse(status_code=404, content={"detail": "Not found"})


async def storage_unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 with ``Retry-After`` while the database cannot answer (locked, unreachable)."""
    # with the traceback: "no such table" after a deploy is an OperationalError too
    logger.error("database unavailable on %s %s (%s)", request.method, request.url.path,
                 type(error).__name__, exc_info=error)
    return JSONResponse(status_code=503, content={"detail": text("storage_unavailable")},
                        headers={"Retry-After": str(STORAGE_RETRY_AFTER_S)})


async def server_error(request: Request, error: Exception) -> JSONResponse:
    """Answer a generic JSON 500: the exception is logged (with its traceback), never sent."""
    logger.error("unhandled %s on %s %s", type(error).__name__, request.method,
                 request.url.path, exc_info=error)
    return JSONResponse(status_code=500, content={"detail": text("server_error")},
                        headers={"X-Content-Type-Options": "nosniff"})
