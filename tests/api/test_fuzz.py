"""Fuzz every route of the app's OpenAPI spec (schemathesis): never a 5xx, never a hang.

Requests generated from the spec (valid and invalid) go through one TestClient of
the real app (started once, so its lifespan objects live on one event loop), both
anonymously and as an admin (the staff routes' bodies are only parsed after the
role check). Examples per route are bounded so the whole file runs in about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.channels.zalo.settings import ZaloSettings
from api.config import AppSettings
from api.main import create_app
from ops.processes import free_port
from tests.api.offline_app import offline_app

ADMIN, PASSWORD = "fuzz.admin", "fuzz admin passphrase"
EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_client(private_database, kb_settings) -> Iterator[TestClient]:
    zalo = ZaloSettings(  # enabled, so its webhook checks signatures
        _env_file=None, app_id="1234567890", oa_secret_key="fuzz-oa-secret",
        app_secret="fuzz-app-secret", access_token="fuzz-token",
        api_base=f"http://127.0.0.1:{free_port()}", oauth_base=f"http://127.0.0.1:{free_port()}")
    app, _, _ = offline_app(private_database("fuzz"), kb_settings, zalo_settings=zalo,
                            rasa_retry_after=600, rate_limit_per_minute=0)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.app.state.services.staff.users.add(ADMIN, "admin", PASSWORD)
        yield client


@pytest.fixture(scope="module")
def admin_headers(fuzz_client: TestClient) -> dict[str, str]:
    response = fuzz_client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def operations() -> list[Any]:
    """Every operation of the app's spec (routes only: the app is not started for this)."""
    spec = create_app(AppSettings(_env_file=None)).openapi()
    return [result.ok() for result in schemathesis.openapi.from_dict(spec).get_all_operations()]


OPERATIONS = operations()


def send(client: TestClient, case: Any, headers: dict[str, str] | None = None):
    """Send a generated case through the shared TestClient (httpx keyword names)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("timeout", None)
    kwargs.pop("allow_redirects", None)
    if "data" in kwargs and isinstance(kwargs["data"], (bytes, str)):
        kwargs["content"] = kwargs.pop("data")
    kwargs["follow_redirects"] = False
    return client.request(**kwargs)


def check(response, case: Any) -> None:
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
    assert "Traceback" not in response.text


def fuzz(operation: Any, client: TestClient, headers: dict[str, str] | None = None) -> None:
    """Send EXAMPLES generated cases (valid and invalid) of one operation."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        check(send(client, case, dict(headers) if headers else None), case)

    run()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_server_errors_anonymous(operation: Any, fuzz_client: TestClient) -> None:
    fuzz(operation, fuzz_client)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("operation", [op for op in OPERATIONS
                                       if op.label != "POST /api/auth/logout"],
                         ids=lambda op: op.label)
def test_no_server_errors_as_admin(operation: Any, fuzz_client: TestClient,
                                   admin_headers: dict[str, str]) -> None:
    """As an admin (logout is left out: it would end the session the other cases use)."""
    fuzz(operation, fuzz_client, admin_headers)
