"""Admin API for analytics: questions per day, outcomes, satisfaction, top questions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.auth.deps import StaffDep, require_admin

router = APIRouter(prefix="/api/admin/analytics", tags=["admin"],
                   dependencies=[Depends(require_admin)])


@router.get("")
def analytics(services: StaffDep,
              days: Annotated[int, Query(ge=1, le=366)] = 30,
              top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    """Usage over the last ``days`` days (Vietnam time)."""
    return services.analytics.report(days=days, top=top)
