"""The storage layer on SQLite and PostgreSQL: migrations, a sample's round trip, pragmas, failures named."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import numpy as np
import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from app.storage import Database, Sample, StorageError
from app.storage.migrate import alembic_config, current_revision, head_revision
from tests.server import run_rowscan


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_open_migrates_to_the_latest_revision_and_is_idempotent(database):
    assert current_revision(database.engine) == _head()
    assert "samples" in inspect(database.engine).get_table_names()
    database.open()  # a second start-up finds nothing to do
    assert current_revision(database.engine) == _head()


def test_the_head_read_from_the_scripts_is_alembics():
    assert head_revision() == _head()


def test_a_start_up_with_nothing_to_migrate_does_not_import_alembic(tmp_path):
    """Alembic costs ~0.2 s of every cold start; only a database behind the scripts needs it."""
    program = (
        "import sys; from app.storage import Database; "
        f"Database('sqlite:///{tmp_path}/a.db').open(); first = 'alembic' in sys.modules; "
        "[sys.modules.pop(name) for name in list(sys.modules) if name.split('.')[0] == 'alembic']; "
        f"Database('sqlite:///{tmp_path}/a.db').open(); print(first, 'alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"], result.stderr


def test_a_sample_round_trips_exactly(database):
    pixels = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    probabilities = [0.01] * 9 + [0.91]
    strokes = [[[1.5, 2.0, 0], [3.0, 4.5, 16]]]
    with database.session() as session:
        sample = Sample(
            client_id="c" * 32,
            label=7,
            predicted=9,
            model="lstm",
            model_version="1",
            probabilities=probabilities,
            pixels=pixels.astype("<f4").tobytes(),
            strokes=strokes,
        )
        session.add(sample)
    with database.session() as session:
        stored = session.scalars(select(Sample).where(Sample.id == sample.id)).one()
        assert (stored.label, stored.predicted, stored.model, stored.client_id) == (7, 9, "lstm", "c" * 32)
        assert np.array_equal(np.frombuffer(stored.pixels, "<f4").reshape(28, 28), pixels)
        assert stored.probabilities == probabilities and stored.strokes == strokes
        assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def test_ids_are_not_reused_after_a_delete(database):
    def add() -> int:
        with database.session() as session:
            sample = Sample(
                client_id="a",
                label=1,
                predicted=1,
                model="lstm",
                model_version="1",
                probabilities=[0.1] * 10,
                pixels=b"\0" * 3136,
            )
            session.add(sample)
            session.flush()
            return sample.id

    first, second = add(), add()
    with database.session() as session:
        session.delete(session.get(Sample, second))
    assert add() > second > first


def test_migrations_go_down_and_up_again(database):
    config = alembic_config(database.engine)
    command.downgrade(config, "base")
    assert "samples" not in inspect(database.engine).get_table_names()
    command.upgrade(config, "head")
    assert "samples" in inspect(database.engine).get_table_names()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_creates_its_folder(tmp_path):
    path = tmp_path / "new" / "folder" / "rowscan.db"
    database = Database(f"sqlite:///{path}").open()
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert path.is_file()
    finally:
        database.close()


def test_a_database_that_cannot_be_opened_is_named(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match=r"cannot open the database \(SQLite file .*a-file/rowscan.db\)"):
        Database(f"sqlite:///{blocker / 'rowscan.db'}").open()


def test_postgres_url_is_named_without_its_password():
    from bench.common import free_port

    database = Database(f"postgresql+psycopg://rowscan:s3cret@127.0.0.1:{free_port()}/rowscan")
    with pytest.raises(StorageError) as raised:
        database.open()
    assert "s3cret" not in str(raised.value) and "rowscan:***@127.0.0.1" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_db_upgrade_command_migrates_the_configured_database(tmp_path):
    done = run_rowscan(["db", "upgrade"], env={"ROWSCAN_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "rowscan.db").is_file()
    assert _head() in done.stdout


def test_serve_with_a_database_that_cannot_be_opened_stops_with_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run_rowscan(["serve", "--port", "1"], env={"ROWSCAN_DATA_DIR": str(blocker)})
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot open the database (SQLite file" in lines[0] and str(blocker) in lines[0], done.stderr
