"""The real app (the shipped LSTM) on a real database of each backend, with an admin token."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.storage_fixtures import BACKENDS, create_database, drop_database

ADMIN_TOKEN = "test-admin-token-123"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def client_id() -> str:
    return f"client-{uuid.uuid4().hex[:16]}"


@pytest.fixture(scope="module", params=BACKENDS)
def sample_app(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    database_url = None
    if request.param == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        database_url = create_database(cluster)
    settings = Settings(
        models=["lstm"],
        data_dir=data_dir,
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        xla_single_digit=False,
        samples_burst=20,
        samples_per_minute=1,  # 20 at once, then one a minute
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client
    if database_url:
        drop_database(cluster, database_url)


@pytest.fixture(scope="module")
def sample_client(sample_app):
    return sample_app[1]
