"""Errors of the staff API as HTTP exceptions whose detail is a plain staff-facing message.

Subclassing ``HTTPException`` lets FastAPI's own handler render them
(``{"detail": "..."}``), so routes and services raise them directly. Errors of
the knowledge base and of accounts are raised as they are and answered by their
family's handler (:mod:`api.errors`).
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from api.auth.messages import message


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
