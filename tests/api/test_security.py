"""HTTP hardening on the real app: headers, CORS, body limit, rate limit, no stack traces."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.config import AppSettings
from api.main import create_app
from api.rate_limit import RateLimiter
from api.routes.pages import STATIC_DIR
from tests.api.offline_app import offline_app

WIDGET_HOST = "https://phuong-hoasen.example.vn"
MAX_BODY = 8 * 1024


@pytest.fixture(scope="module")
def client(private_database, kb_settings) -> Iterator[TestClient]:
    app, _, _ = offline_app(
        private_database("security"), kb_settings,
        widget_origins=f"{WIDGET_HOST}, https://other-ward.example.vn/", max_body_bytes=MAX_BODY,
        rate_limit_per_minute=6, rate_limit_burst=3)

    @app.get("/api/test-boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd at line 42")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def chat(client: TestClient, sender: str, text: str, **headers: str):
    return client.post("/api/chat", json={"sender_id": sender, "text": text}, headers=headers)


def test_pages_forbid_inline_script_and_sniffing(client: TestClient) -> None:
    for path in ("/", "/login"):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"
    demo = client.get("/")
    assert "frame-ancestors 'self'" in demo.headers["content-security-policy"]
    assert demo.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'none'" in client.get("/login").headers["content-security-policy"]
    for path in ("/widget.js", "/api/chat/updates?sender_id=abc", "/health"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path


def test_every_page_uses_only_external_scripts_and_styles() -> None:
    """The CSP forbids inline code, so the pages must not need any."""
    for page in STATIC_DIR.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.I):
            assert "src=" in tag, (page.name, tag)
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html, flags=re.I), page.name
        assert not re.search(r"<style\b|\son[a-z]+\s*=|\sstyle\s*=", html, flags=re.I), page.name


def test_frame_ancestors_are_configurable(kb_settings) -> None:
    """Pages need no lifespan state, so the app is not started (no knowledge base built)."""
    settings = AppSettings(_env_file=None, frame_ancestors=f"'self' {WIDGET_HOST}")
    response = TestClient(create_app(settings)).get("/")
    assert f"frame-ancestors 'self' {WIDGET_HOST}" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers


def test_cors_allows_only_the_widget_origins(client: TestClient) -> None:
    preflight = client.options("/api/chat", headers={
        "Origin": WIDGET_HOST, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == WIDGET_HOST
    assert "POST" in preflight.headers["access-control-allow-methods"]
    posted = chat(client, "cors-1", "xin chào", Origin="https://other-ward.example.vn")
    assert posted.status_code == 200
    assert posted.headers["access-control-allow-origin"] == "https://other-ward.example.vn"
    updates = client.get("/api/chat/updates?sender_id=cors-1", headers={"Origin": WIDGET_HOST})
    assert updates.headers["access-control-allow-origin"] == WIDGET_HOST
    assert "access-control-allow-credentials" not in updates.headers

    evil = client.options("/api/chat", headers={
        "Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in evil.headers
    evil_post = chat(client, "cors-2", "xin chào", Origin="https://evil.example.com")
    assert "access-control-allow-origin" not in evil_post.headers
    staff = client.options("/api/auth/login", headers={
        "Origin": WIDGET_HOST, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in staff.headers


def test_large_bodies_get_a_413_and_the_app_keeps_serving(client: TestClient) -> None:
    big = b'{"sender_id": "big-1", "text": "' + b"a" * MAX_BODY + b'"}'
    declared = client.post("/api/chat", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["detail"] and declared.json()["max_bytes"] == MAX_BODY

    def chunks() -> Iterator[bytes]:
        yield big[:1000]
        yield big[1000:]

    streamed = client.post("/api/chat", content=chunks(),
                           headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["detail"]
    assert client.get("/health").status_code == 200
    assert chat(client, "big-2", "xin chào").status_code == 200


def test_errors_never_show_stack_traces(client: TestClient) -> None:
    response = client.get("/api/test-boom")
    assert response.status_code == 500
    body = response.text
    assert response.json()["detail"]
    for leak in ("Traceback", "RuntimeError", "passwd", "line 42", ".py"):
        assert leak not in body


def test_rate_limit_is_per_sender_and_polite(client: TestClient) -> None:
    answers = [chat(client, "rl-flood", f"xin chào {i}") for i in range(5)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    limited = answers[3]
    assert limited.status_code == 429
    body = limited.json()
    assert "giây" in body["detail"] and body["messages"][0]["text"] == body["detail"]
    assert int(limited.headers["retry-after"]) >= 1
    other = chat(client, "rl-calm", "xin chào")
    assert other.status_code == 200 and other.json()["messages"]


def test_token_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0
    now[0] = 1.0
    assert limiter.acquire("a") == 0
    assert RateLimiter(per_minute=0, burst=1).acquire("a") == 0
