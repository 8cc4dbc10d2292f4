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
    services = app.state.staff_services
    services.users.add(ADMIN, "admin", PASSWORD)
    services.users.add(SUPPORT, "support", PASSWORD)
    return app


@pytest.fixture()
def client(staff_app) -> Iterator[TestClient]:
    with TestClient(staff_app) as test_client:
        yield test_client


@pytest.fixture()
def services(staff_app):
    return staff_app.state.staff_services


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
    app = build_app(kb)
    app.state.staff_services.users.add(ADMIN, "admin", PASSWORD)
    with TestClient(app) as test_client:
        yield StaffClient.bearer(test_client, ADMIN), kb, catalog
