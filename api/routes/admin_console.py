"""The staff consoles' pages: login, support console and admin console, plus Chart.js.

Pages are static shells (vanilla JS under ``api/static/console``) served with a
strict Content-Security-Policy: scripts and styles from this origin only, no
inline code. ``/support`` and ``/admin`` redirect to the login page without a
valid session and answer 403 to the wrong role; the data routes check roles
again on every call. Chart.js is installed from npm by ``make console-deps``
and its UMD build is served from ``node_modules``; nothing is fetched from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from api.auth.deps import COOKIE_NAME
from api.auth.errors import StaffError
from api.auth.models import ROLE_ADMIN, ROLE_SUPPORT
from api.auth.sessions import KIND_COOKIE
from api.deps import services_of
from api.routes.pages import PAGE_CACHE, serve_static

router = APIRouter(tags=["console"])
VENDOR_DIR = Path(__file__).resolve().parent.parent / "vendor" / "node_modules"
CHART_JS = VENDOR_DIR / "chart.js" / "dist" / "chart.umd.js"
CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'; form-action 'self'")


def _page(request: Request, name: str) -> Response:
    response = serve_static(request, f"console/{name}", PAGE_CACHE)
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _guard(request: Request, roles: tuple[str, ...]) -> Response | None:
    """Redirect to the login page without a session; 403 for the wrong role."""
    services = services_of(request).staff
    principal = services.auth.resolve(request.cookies.get(COOKIE_NAME, ""), KIND_COOKIE)
    if principal is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if principal.role not in roles:
        raise StaffError(403, "forbidden")
    return None


@router.get("/login", include_in_schema=False)
def login_page(request: Request) -> Response:
    """Serve the staff login form."""
    return _page(request, "login.html")


@router.get("/support", include_in_schema=False)
def support_page(request: Request) -> Response:
    """Serve the support console (support staff and admins)."""
    return _guard(request, (ROLE_SUPPORT, ROLE_ADMIN)) or _page(request, "support.html")


@router.get("/admin", include_in_schema=False)
def admin_page(request: Request) -> Response:
    """Serve the admin console (admins only)."""
    return _guard(request, (ROLE_ADMIN,)) or _page(request, "admin.html")


@router.get("/console/vendor/chart.umd.js", include_in_schema=False)
def chart_js() -> Response:
    """Chart.js from the locally installed npm package (404 until `make console-deps`)."""
    if not CHART_JS.is_file():
        raise StaffError(404, "not_found")
    return Response(CHART_JS.read_bytes(), media_type="text/javascript; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=86400",
                             "X-Content-Type-Options": "nosniff"})
