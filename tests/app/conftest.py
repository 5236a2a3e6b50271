"""The real app with the committed model, shared by the service tests (loaded once per session)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


@pytest.fixture(scope="session")
def app():
    return create_app(Settings())


@pytest.fixture(scope="session")
def client(app):
    with TestClient(app, raise_server_exceptions=False) as test_client:  # a 500 must show as a 500, not raise
        yield test_client


@pytest.fixture(scope="session")
def served(client, app):
    """The default served model (its graph, metrics and misses)."""
    return app.state.registry.get()
