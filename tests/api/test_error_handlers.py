"""One handler per error family (``api.errors``): clear JSON statuses, never a stack trace.

A small FastAPI app with the project's handlers installed raises the real
exceptions of each family; the staff route tests check the same handlers
through the real app (unknown FAQ 404, edit conflict 409, existing user 409).
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from api.auth.messages import message
from api.auth.users import AccountError
from api.errors import install_error_handlers
from api.security import text
from knowledge_base.errors import (
    IndexNotReadyError,
    InvalidInputError,
    KnowledgeBaseError,
    NotFoundError,
    VersionConflictError,
)

RAISED = {
    "missing": NotFoundError("faq", 7),
    "conflict": VersionConflictError("faq", 7, expected=2, actual=3),
    "invalid": InvalidInputError("Câu hỏi không được để trống."),
    "not-built": IndexNotReadyError("/var/index/secret-path"),
    "other-kb": KnowledgeBaseError("internal detail /etc/secret"),
    "exists": AccountError("user_exists", username="lan"),
    "locked": OperationalError("UPDATE turns SET secret=1", {}, Exception("database is locked")),
    "bug": RuntimeError("internal detail /etc/secret"),
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.state.services = None
    install_error_handlers(app)

    @app.get("/raise/{name}")
    def raise_it(name: str) -> None:
        raise RAISED[name]

    @app.get("/page")
    def page(number: int) -> int:
        return number

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("name", "status", "detail"), [
    ("missing", 404, message("not_found")),
    ("conflict", 409, message("version_conflict", expected=2, actual=3)),
    ("invalid", 422, "Câu hỏi không được để trống."),
    ("not-built", 503, message("kb_not_ready")),
    ("exists", 409, message("user_exists", username="lan")),
    ("locked", 503, text("storage_unavailable")),
    ("other-kb", 500, text("server_error")),
    ("bug", 500, text("server_error")),
])
def test_each_family_gets_its_status_and_a_plain_sentence(client: TestClient, name: str,
                                                          status: int, detail: str) -> None:
    response = client.get(f"/raise/{name}")
    assert response.status_code == status
    assert response.json() == {"detail": detail}
    for leaked in ("Traceback", "secret", "UPDATE turns", "File \""):
        assert leaked not in response.text


def test_a_busy_database_tells_the_client_when_to_retry(client: TestClient) -> None:
    assert client.get("/raise/locked").headers["Retry-After"].isdigit()


def test_invalid_request_data_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/page", params={"number": "not-a-number"})
    assert response.status_code == 422
    body = response.json()
    assert body["problems"].startswith("number:") and "not-a-number" not in response.text
