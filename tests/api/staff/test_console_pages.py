"""Console pages: served, CSP-friendly (no inline script or style), role-guarded; Chart.js local."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.routes.admin_console import CHART_JS
from tests.api.staff.harness import ADMIN, PASSWORD, SUPPORT

PAGES = ["login.html", "support.html", "admin.html"]


class Inventory(HTMLParser):
    """Collects script sources, inline code, inline styles and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.inline += [name for name, _ in attrs if name.startswith("on") or name == "style"]
        if tag == "script":
            self._in_script = True
            self.scripts.append(values.get("src") or "")
        if tag == "link" and values.get("rel") == "stylesheet":
            self.styles.append(values["href"])
        if tag == "style":
            self.inline.append("<style>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("inline script")


def session(app, username: str) -> TestClient:
    browser = TestClient(app)
    response = browser.post("/api/auth/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return browser


@pytest.mark.parametrize("path,user,page", [("/login", None, "login.html"),
                                            ("/support", SUPPORT, "support.html"),
                                            ("/support", ADMIN, "support.html"),
                                            ("/admin", ADMIN, "admin.html")])
def test_pages_are_served_with_a_strict_csp_and_no_inline_code(staff_app, path, user, page):
    browser = session(staff_app, user) if user else TestClient(staff_app)
    response = browser.get(path)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    inventory = Inventory()
    inventory.feed(response.text)
    assert inventory.inline == []
    assert inventory.scripts and all(src.startswith("/") for src in inventory.scripts)
    for asset in inventory.scripts + inventory.styles:
        if asset == "/console/vendor/chart.umd.js" and not CHART_JS.is_file():
            continue
        assert browser.get(asset).status_code == 200, asset


def test_support_user_cannot_open_the_admin_console(staff_app):
    assert session(staff_app, SUPPORT).get("/admin").status_code == 403


def test_chart_js_is_served_from_the_local_npm_package(client):
    if not CHART_JS.is_file():
        pytest.skip("run `make console-deps` to install Chart.js")
    response = client.get("/console/vendor/chart.umd.js")
    assert response.status_code == 200 and "javascript" in response.headers["content-type"]
    assert b"Chart" in response.content[:5000]


def test_console_scripts_never_build_html_from_strings():
    from api.routes.pages import STATIC_DIR

    for script in (STATIC_DIR / "console").glob("*.js"):
        source = script.read_text(encoding="utf-8")
        assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write",
                             source), script.name
