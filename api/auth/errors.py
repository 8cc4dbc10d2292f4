"""Errors of the staff API as HTTP exceptions whose detail is a plain staff-facing message.

Subclassing ``HTTPException`` lets FastAPI's own handler render them
(``{"detail": "..."}``), so routes and services raise them directly and no
extra handler has to be installed by the app factory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException

from api.auth.messages import message
from knowledge_base.errors import (
    IndexNotReadyError,
    InvalidInputError,
    NotFoundError,
    VersionConflictError,
)


class StaffError(HTTPException):
    """An error with an HTTP status and a message from ``messages.yml``."""

    def __init__(self, status_code: int, message_key: str, /,
                 headers: dict[str, str] | None = None, **values: Any) -> None:
        super().__init__(status_code=status_code, detail=message(message_key, **values),
                         headers=headers)
        self.key = message_key


def unauthenticated() -> StaffError:
    """401: no valid session cookie or bearer token."""
    return StaffError(401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})


def forbidden() -> StaffError:
    """403: authenticated, but the role may not use this route."""
    return StaffError(403, "forbidden")


@contextmanager
def kb_errors() -> Iterator[None]:
    """Turn knowledge-base exceptions into HTTP errors with plain messages."""
    try:
        yield
    except NotFoundError as error:
        raise StaffError(404, "not_found") from error
    except VersionConflictError as error:
        raise StaffError(409, "version_conflict", expected=error.expected,
                         actual=error.actual) from error
    except InvalidInputError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    except IndexNotReadyError as error:
        raise StaffError(503, "kb_not_ready") from error
