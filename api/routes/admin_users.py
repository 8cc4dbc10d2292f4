"""Admin API for staff accounts: list, create, disable and enable (never passwords)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from api.auth.deps import AdminUser, StaffDep, require_admin
from api.auth.errors import StaffError
from api.auth.routes import read_json_object
from api.auth.users import User

router = APIRouter(prefix="/api/admin/users", tags=["admin"],
                   dependencies=[Depends(require_admin)])


def _public(user: User) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "disabled": user.disabled,
            "created_at": user.created_at, "last_login_at": user.last_login_at}


@router.get("")
def list_users(services: StaffDep) -> dict[str, Any]:
    """Every staff account."""
    return {"items": [_public(u) for u in services.users.list()]}


@router.post("", status_code=201)
async def create_user(request: Request, services: StaffDep) -> dict[str, Any]:
    """Create an account (the password is hashed; it is never returned, even in errors)."""
    body = await read_json_object(request)
    username, role, password = (body.get(name) for name in ("username", "role", "password"))
    if not (isinstance(username, str) and isinstance(role, str) and isinstance(password, str)):
        raise StaffError(422, "invalid_username")
    return _public(services.users.add(username, role, password))


@router.post("/{username}/disable")
def disable_user(username: str, user: AdminUser, services: StaffDep) -> dict[str, Any]:
    """Disable an account and end its sessions."""
    if username.lower() == user.username:
        raise StaffError(422, "forbidden")
    return _public(services.users.set_disabled(username, True))


@router.post("/{username}/enable")
def enable_user(username: str, services: StaffDep) -> dict[str, Any]:
    """Re-enable an account."""
    return _public(services.users.set_disabled(username, False))
