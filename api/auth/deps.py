"""Authentication and role checks for staff routes, declared once as ``Annotated`` aliases.

A request authenticates with ``Authorization: Bearer <token>`` (API clients)
or with the console's session cookie. Cookie-authenticated requests that change
something must echo the session's CSRF token in ``X-CSRF-Token``; bearer
requests need not, since browsers never attach bearer tokens on their own.
Admins may use every support route; support users get 403 on admin routes.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from api.auth.errors import StaffError, forbidden, unauthenticated
from api.auth.models import ROLE_ADMIN, ROLE_SUPPORT
from api.auth.sessions import KIND_BEARER, KIND_COOKIE, Principal
from api.deps import StaffDep

COOKIE_NAME = "tthc_staff"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def current_principal(request: Request, services: StaffDep) -> Principal:
    """Resolve the caller from a bearer token or the session cookie (401 if neither works)."""
    token = _bearer(request)
    if token is not None:
        principal = services.auth.resolve(token, KIND_BEARER)
        if principal is None:
            raise unauthenticated()
        return principal
    principal = services.auth.resolve(request.cookies.get(COOKIE_NAME, ""), KIND_COOKIE)
    if principal is None:
        raise unauthenticated()
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
            raise StaffError(403, "csrf_failed")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_support(principal: PrincipalDep) -> Principal:
    """Support staff and admins."""
    if principal.role not in (ROLE_SUPPORT, ROLE_ADMIN):
        raise forbidden()
    return principal


def require_admin(principal: PrincipalDep) -> Principal:
    """Admins only."""
    if principal.role != ROLE_ADMIN:
        raise forbidden()
    return principal


SupportUser = Annotated[Principal, Depends(require_support)]
AdminUser = Annotated[Principal, Depends(require_admin)]
