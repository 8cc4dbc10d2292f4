"""Accounts and access control: 401/403 on every staff route, CSRF, rate limit, disabling."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.api.staff.harness import ADMIN, PASSWORD, SUPPORT, StaffClient

STAFF_PREFIXES = ("/api/support", "/api/admin")


def staff_routes(app) -> list[tuple[str, str]]:
    """(method, concrete path) of every support/admin API route, from the OpenAPI schema."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith(STAFF_PREFIXES):
            concrete = re.sub(r"{[^}]+}", "1", path)
            found += [(method.upper(), concrete) for method in sorted(operations)]
    return found


def call(client: TestClient, method: str, path: str, headers: dict[str, str] | None = None):
    body = {} if method in ("POST", "PUT") else None
    return client.request(method, path, headers=headers or {}, json=body)


def test_every_staff_route_is_listed(staff_app):
    paths = {path for _, path in staff_routes(staff_app)}
    assert "/api/admin/faqs" in paths and "/api/support/inbox" in paths
    assert len(paths) >= 20


def test_every_staff_route_needs_authentication(staff_app, client):
    for method, path in staff_routes(staff_app):
        response = call(client, method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        assert "đăng nhập" in response.json()["detail"]


def test_invalid_bearer_token_is_401(staff_app, client):
    for method, path in staff_routes(staff_app)[:5]:
        response = call(client, method, path, {"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401


def test_support_user_gets_403_on_every_admin_route(staff_app, support):
    for method, path in staff_routes(staff_app):
        if path.startswith("/api/admin"):
            response = call(support.client, method, path, support.headers)
            assert response.status_code == 403, (method, path, response.status_code)


def test_admin_may_use_support_routes(staff_app, admin):
    for method, path in staff_routes(staff_app):
        if path.startswith("/api/support"):
            response = call(admin.client, method, path, admin.headers)
            assert response.status_code not in (401, 403), (method, path)


def test_login_returns_a_bearer_token_and_never_the_password(client):
    response = client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"access_token", "token_type", "expires_in", "role"}
    assert PASSWORD not in response.text
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": ADMIN, "role": "admin"}


def test_login_errors_never_echo_the_password(client):
    secret = "my-secret-password-123"
    for body in ({"username": ADMIN, "password": secret}, {"password": secret},
                 {"username": 5, "password": secret}):
        response = client.post("/api/auth/login", json=body)
        assert response.status_code in (401, 422)
        assert secret not in response.text


def test_login_accepts_json_only(client):
    response = client.post("/api/auth/login", data={"username": ADMIN, "password": PASSWORD})
    assert response.status_code == 415


def test_cookie_session_is_httponly_samesite_and_needs_csrf(staff_app):
    with TestClient(staff_app) as browser:
        response = browser.post("/api/auth/session", json={"username": SUPPORT,
                                                           "password": PASSWORD})
        assert response.status_code == 200
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        csrf = response.json()["csrf_token"]
        assert "access_token" not in response.json()
        assert browser.get("/api/support/inbox").status_code == 200  # safe method: no token
        proposal = {"kind": "faq", "question": "Câu hỏi thử CSRF?", "answer": "Trả lời."}
        refused = browser.post("/api/support/proposals", json=proposal)
        assert refused.status_code == 403 and "giả mạo" in refused.json()["detail"]
        wrong = browser.post("/api/support/proposals", json=proposal,
                             headers={"X-CSRF-Token": "guess"})
        assert wrong.status_code == 403
        accepted = browser.post("/api/support/proposals", json=proposal,
                                headers={"X-CSRF-Token": csrf})
        assert accepted.status_code == 201
        assert browser.get("/api/auth/me").json()["csrf_token"] == csrf
        assert browser.post("/api/auth/logout").status_code == 403  # logout needs CSRF too
        assert browser.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert browser.get("/api/support/inbox").status_code == 401


def test_bearer_token_is_not_a_cookie_session(staff_app, client):
    token = client.post("/api/auth/login", json={"username": SUPPORT,
                                                 "password": PASSWORD}).json()["access_token"]
    client.cookies.set("tthc_staff", token)
    try:
        assert client.get("/api/support/inbox").status_code == 401
    finally:
        client.cookies.clear()


def test_logout_revokes_the_bearer_token(client):
    staff = StaffClient.bearer(client, SUPPORT)
    assert staff.get("/api/support/inbox").status_code == 200
    assert staff.post("/api/auth/logout").status_code == 204
    assert staff.get("/api/support/inbox").status_code == 401


def test_failed_logins_are_rate_limited(client, services):
    services.users.add("rate.limited", "support", PASSWORD)
    for _ in range(services.auth.policy.max_failures_per_user):
        wrong = client.post("/api/auth/login", json={"username": "rate.limited",
                                                     "password": "wrong password"})
        assert wrong.status_code == 401
    blocked = client.post("/api/auth/login", json={"username": "Rate.Limited",
                                                   "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "thử lại sau" in blocked.json()["detail"]


def test_failures_older_than_the_window_are_pruned_when_a_new_one_is_recorded(client, services):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from api.auth.models import LoginFailureRow
    from knowledge_base.db import utcnow

    def failures(name: str | None = None) -> int:
        query = select(func.count()).select_from(LoginFailureRow)
        if name:
            query = query.where(LoginFailureRow.key.contains(name))
        with services.sessions() as session:
            return session.scalar(query)

    client.post("/api/auth/login", json={"username": "nobody.old", "password": "wrong"})
    assert failures("nobody.old") == 2  # per client+username and per account (and per client)
    window = timedelta(seconds=services.auth.policy.login_window_seconds + 1)
    with services.sessions.begin() as session:  # every failure so far is now past the window
        session.execute(update(LoginFailureRow).values(at=utcnow() - window))
    client.post("/api/auth/login", json={"username": "nobody.new", "password": "wrong"})
    assert failures("nobody.old") == 0 and failures("nobody.new") == 2
    assert failures() == 3  # only the new failure's records remain (client key included)


def test_disabled_user_cannot_log_in_and_loses_sessions(client, services):
    services.users.add("soon.disabled", "support", PASSWORD)
    staff = StaffClient.bearer(client, "soon.disabled")
    assert staff.get("/api/support/inbox").status_code == 200
    services.users.set_disabled("soon.disabled", True)
    assert staff.get("/api/support/inbox").status_code == 401
    response = client.post("/api/auth/login", json={"username": "soon.disabled",
                                                    "password": PASSWORD})
    assert response.status_code == 401
    services.users.set_disabled("soon.disabled", False)
    assert StaffClient.bearer(client, "soon.disabled").get("/api/support/inbox").status_code == 200


def test_passwords_are_stored_as_argon2_hashes(services):
    from sqlalchemy import select

    from api.auth.models import UserRow

    with services.sessions() as session:
        stored = session.scalar(select(UserRow.password_hash).where(UserRow.username == ADMIN))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_admin_user_api_never_returns_passwords(admin):
    created = admin.post("/api/admin/users", json={"username": "new.support", "role": "support",
                                                   "password": "another long password"})
    assert created.status_code == 201
    assert "password" not in created.text
    listed = admin.get("/api/admin/users").json()["items"]
    assert any(u["username"] == "new.support" for u in listed)
    assert all(set(u) == {"username", "role", "disabled", "created_at", "last_login_at"}
               for u in listed)
    short = admin.post("/api/admin/users", json={"username": "x.y", "role": "support",
                                                 "password": "short"})
    assert short.status_code == 422 and "short" not in short.text
    duplicate = admin.post("/api/admin/users", json={"username": "new.support",
                                                     "role": "support",
                                                     "password": "another long password"})
    assert duplicate.status_code == 409
    disabled = admin.post("/api/admin/users/new.support/disable")
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True


@pytest.mark.parametrize("path,role", [("/support", "support"), ("/admin", "admin")])
def test_console_pages_redirect_to_login_without_session(client, path, role):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
