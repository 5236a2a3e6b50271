"""Database fixtures for tests, on both backends: every test that takes `database` runs on SQLite and PostgreSQL.

- `database_url`: parametrised over "sqlite" (a file in tmp_path) and "postgresql" (a fresh database in a
  throw-away cluster started once per session as the postgres user on a free port; no docker). The
  PostgreSQL variant skips, saying why, only when the cluster cannot start (e.g. Debian's `postgresql`
  is not installed: `apt-get install -y --no-install-recommends postgresql`, as .ci/run does).
- `database`: an `app.storage.Database` on that URL, migrated to the latest revision.

Another module adding a table (e.g. rooms):
1. declare it on `app.storage.Base` in its own module, and import that module in
   `app/storage/migrations/env.py` beside `app.storage.tables`;
2. add `app/storage/migrations/versions/0002_rooms.py` with `revision = "0002_rooms"` and
   `down_revision = "0001_samples"` (the current head; `rowscan db revision -m rooms` writes the
   skeleton), using `op.create_table(...)`;
3. test it with the `database` fixture: it runs every migration, so the test sees the new table on both
   backends (`with database.session() as session: session.add(Room(...))`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.storage import Database
from bench.common import free_port

BACKENDS = ["sqlite", "postgresql"]


@dataclass
class PostgresCluster:
    """A throw-away PostgreSQL cluster: its data folder, port and a superuser URL to its `postgres` database."""

    root: Path
    port: int
    pg_ctl: Path
    as_postgres: list[str]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.pg_ctl), "-D", str(self.root / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian: /usr/lib/postgresql/<major>/bin)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def start_postgres() -> PostgresCluster:
    """initdb + pg_ctl start on a free loopback port; as root, run as the postgres user (it refuses root).

    Raises RuntimeError saying why when it cannot start."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install -y --no-install-recommends postgresql)")
    as_postgres: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="rowscan-pg-"))  # not under pytest's tmp: its 0700 parents shut the postgres user out
    if os.geteuid() == 0:
        if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode != 0:
            raise RuntimeError("running as root and there is no 'postgres' user to run the PostgreSQL server as")
        shutil.chown(root, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    steps = [
        [str(bin_dir / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres", "--no-sync"],
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
    ]
    for step in steps:
        done = subprocess.run([*as_postgres, *step], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"{Path(step[0]).name} failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return PostgresCluster(root, port, bin_dir / "pg_ctl", as_postgres)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = start_postgres()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"PostgreSQL variant skipped: the throw-away cluster cannot start: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


def _admin(cluster: PostgresCluster, statement: str) -> None:
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def create_database(cluster: PostgresCluster) -> str:
    """A new, empty database in the cluster; its URL."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    _admin(cluster, f"CREATE DATABASE {name}")
    return cluster.url(name)


def drop_database(cluster: PostgresCluster, url: str) -> None:
    _admin(cluster, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file in tmp_path, or a new PostgreSQL database (dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'rowscan.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = create_database(cluster)
    yield url
    drop_database(cluster, url)


@pytest.fixture
def database(database_url) -> Iterator[Database]:
    """An `app.storage.Database` at the latest migration, on each backend in turn."""
    database = Database(database_url).open()
    yield database
    database.close()
