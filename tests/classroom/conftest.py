"""The real app (committed LSTM) with class mode on a throw-away SQLite database per module.

The event stream is cut after a fraction of a second (ROWSCAN_ROOM_STREAM_MAX_S), as a browser's
reconnect would see it, so a test client reads a whole stream as one response."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.app.images import data_url, drawing


@pytest.fixture(scope="module")
def rooms_app(tmp_path_factory):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        models=["lstm"],
        xla_single_digit=False,
        room_stream_max_s=0.3,
        room_drawings_per_minute=5,
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def rooms_client(rooms_app):
    with TestClient(rooms_app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def room(rooms_client) -> dict:
    answer = rooms_client.post("/api/rooms")
    assert answer.status_code == 201, answer.text
    return answer.json()


def auth(room: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {room['token']}"}


SEVEN = data_url(drawing(shape="seven"))
ONE = data_url(drawing(shape="one"))
