"""Login, logout and "who am I" for staff.

``POST /api/auth/login`` returns a bearer token for API clients;
``POST /api/auth/session`` opens a console session in an HttpOnly,
SameSite=Strict cookie and returns its CSRF token. Both accept JSON only (a
cross-site HTML form cannot send it) and never echo the submitted body, so a
password can never come back in an error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.auth.deps import COOKIE_NAME, PrincipalDep, StaffDep
from api.auth.errors import StaffError
from api.auth.sessions import KIND_BEARER, KIND_COOKIE, IssuedLogin, LoginRefused

router = APIRouter(prefix="/api/auth", tags=["auth"])
MAX_FIELD = 256


async def read_json_object(request: Request) -> dict[str, Any]:
    """Parse a JSON object body without ever echoing it back (it may hold a password)."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise StaffError(415, "json_required")
    try:
        body: Any = await request.json()
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        body = None
    return body if isinstance(body, dict) else {}


async def _credentials(request: Request) -> tuple[str, str]:
    body = await read_json_object(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) \
            or len(username) > MAX_FIELD or len(password) > MAX_FIELD:
        raise StaffError(422, "bad_credentials")
    return username, password


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login(services: StaffDep, request: Request, username: str, password: str,
           kind: str) -> IssuedLogin:
    try:
        return services.auth.login(username, password, _client(request), kind)
    except LoginRefused as refused:
        if refused.key == "rate_limited":
            minutes = max(1, -(-refused.retry_after // 60))
            raise StaffError(429, "rate_limited", headers={
                "Retry-After": str(refused.retry_after)}, minutes=minutes) from None
        raise StaffError(401, "bad_credentials") from None


@router.post("/login")
async def login(request: Request, services: StaffDep) -> dict[str, Any]:
    """Exchange username and password for a bearer token."""
    username, password = await _credentials(request)
    issued = _login(services, request, username, password, KIND_BEARER)
    return {"access_token": issued.token, "token_type": "bearer",
            "expires_in": issued.expires_in, "username": issued.principal.username,
            "role": issued.principal.role}


@router.post("/session")
async def open_session(request: Request, services: StaffDep) -> JSONResponse:
    """Log in to the consoles: session cookie plus the CSRF token for mutating requests."""
    username, password = await _credentials(request)
    issued = _login(services, request, username, password, KIND_COOKIE)
    response = JSONResponse({"username": issued.principal.username,
                             "role": issued.principal.role,
                             "csrf_token": issued.principal.csrf_token})
    secure = services.cookie_secure
    response.set_cookie(COOKIE_NAME, issued.token, max_age=issued.expires_in, path="/",
                        httponly=True, samesite="strict",
                        secure=request.url.scheme == "https" if secure is None else secure)
    return response


@router.post("/logout", status_code=204)
def logout(principal: PrincipalDep, services: StaffDep) -> Response:
    """End the current session or revoke the bearer token."""
    services.auth.revoke(principal)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


@router.get("/me")
def me(principal: PrincipalDep) -> dict[str, Any]:
    """Return the logged-in user; console pages read their CSRF token here after a reload."""
    body: dict[str, Any] = {"username": principal.username, "role": principal.role}
    if principal.kind == KIND_COOKIE:
        body["csrf_token"] = principal.csrf_token
    return body

