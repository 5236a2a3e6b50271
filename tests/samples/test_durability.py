"""No acknowledged sample is lost: 16 clients post for 8 s against a real `rowscan serve`, which is killed
with SIGKILL halfway and restarted; every 201 must then be in the database (the bench's smaller twin:
bench/samples_durability.py runs 64 clients for 30 s)."""

from __future__ import annotations

import pytest

from bench.samples_durability import run


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_every_201_survives_a_kill_9_in_the_middle_of_the_load(backend, request):
    database_url = None
    if backend == "postgresql":
        from tests.storage_fixtures import create_database

        database_url = create_database(request.getfixturevalue("postgres_cluster"))
    result = run(clients=16, duration=8.0, database_url=database_url)
    assert result["acknowledged"] > 0, result
    assert result["acknowledged_after_restart"] > 0, f"the restarted server stored nothing: {result}"
    assert result["lost"] == 0, result
    assert result["answers"].get("connection error", 0) > 0, f"the kill did not interrupt the load: {result}"
    assert set(result["answers"]) <= {"201", "connection error"}, result
