"""The engine and sessions for the configured database, opened (and migrated) once at start-up.

SQLite (the default, a file under ROWSCAN_DATA_DIR) runs in WAL mode: readers never wait for the
writer, and with synchronous=NORMAL a commit survives the process being killed (not a power cut).
PostgreSQL (ROWSCAN_DATABASE_URL=postgresql+psycopg://...) uses a pre-pinged connection pool.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.storage.migrate import upgrade

log = logging.getLogger("rowscan")

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",  # writers queue for up to 10 s instead of failing with "database is locked"
    "PRAGMA foreign_keys=ON",
)


class StorageError(RuntimeError):
    """The database cannot be opened or migrated; the message names it (without its password)."""


def _apply_sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url` (it connects lazily)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 10})
        event.listen(engine, "connect", _apply_sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=8, max_overflow=8, connect_args={"connect_timeout": 5})


class Database:
    """One database: `session()` for work, `open()` to check it and bring its schema to the latest migration."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def name(self) -> str:
        """How the database is named in messages: the SQLite file, or the URL without its password."""
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            return f"SQLite file {parsed.database}"
        return parsed.render_as_string(hide_password=True)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def open(self) -> Database:
        """Connect and run the pending migrations; raise StorageError (one line naming the database) if that fails."""
        try:
            self._create_sqlite_folder()
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            upgrade(self.engine)
        except (SQLAlchemyError, OSError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StorageError(f"cannot open the database ({self.name}): {reason}") from exc
        log.info("database: %s", self.name)
        return self

    def _create_sqlite_folder(self) -> None:
        """The data folder is created on first use."""
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed at the end of the block, rolled back if it raises."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings) -> Database:
    return Database(settings.database_url_or_default).open()
