"""Fixtures for the staff side (accounts, support desk, admin): a real app on a copy of the KB.

The knowledge base is the session's real one (``tests/conftest.py``), copied so
that edits made here never leak into other tests, and warmed up once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.staff.harness import (
    ADMIN,
    PASSWORD,
    SUPPORT,
    StaffClient,
    build_app,
    staff_services,
)
from tests.conftest import copy_database


@pytest.fixture(scope="session")
def staff_kb(kb_workdir: Path, tmp_path_factory: pytest.TempPathFactory):
    """A warmed-up knowledge base on a private copy of the session database."""
    from knowledge_base.service import KnowledgeBase
    from knowledge_base.settings import KnowledgeBaseSettings

    workdir = tmp_path_factory.mktemp("staff")
    copy_database(kb_workdir / "kb.db", workdir / "kb.db")
    settings = KnowledgeBaseSettings(database_url=f"sqlite:///{workdir / 'kb.db'}",
                                     index_dir=kb_workdir / "index",
                                     catalog_dir=kb_workdir / "catalog")
    kb = KnowledgeBase(settings)
    kb.warm_up()
    return kb


@pytest.fixture(scope="session")
def staff_app(staff_kb):
    """The app with the staff routes, serving the private knowledge base."""
    app = build_app(staff_kb)
    with TestClient(app) as client:  # the accounts live in the database, for every lifespan
        services = staff_services(client)
        services.users.add(ADMIN, "admin", PASSWORD)
        services.users.add(SUPPORT, "support", PASSWORD)
    return app


@pytest.fixture()
def client(staff_app) -> Iterator[TestClient]:
    with TestClient(staff_app) as test_client:
        yield test_client


@pytest.fixture()
def services(client: TestClient):
    return staff_services(client)


@pytest.fixture()
def admin(client: TestClient) -> StaffClient:
    return StaffClient.bearer(client, ADMIN)


@pytest.fixture()
def support(client: TestClient) -> StaffClient:
    return StaffClient.bearer(client, SUPPORT)


@pytest.fixture()
def fresh_staff(tmp_path: Path):
    """An app on an empty database (catalog and analytics tests need exact contents).

    Returns (admin client, knowledge base, catalog directory); nothing is indexed,
    which these routes do not need.
    """
    from knowledge_base.service import KnowledgeBase
    from knowledge_base.settings import KnowledgeBaseSettings

    catalog = tmp_path / "catalog"
    catalog.mkdir()
    kb = KnowledgeBase(KnowledgeBaseSettings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}",
                                             index_dir=tmp_path / "index", catalog_dir=catalog))
    with TestClient(build_app(kb)) as test_client:
        staff_services(test_client).users.add(ADMIN, "admin", PASSWORD)
        yield StaffClient.bearer(test_client, ADMIN), kb, catalog
