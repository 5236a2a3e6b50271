"""The database engine for class mode: SQLite (WAL) under the data folder by default, or ROWSCAN_DATABASE_URL."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from app.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.data_dir / 'rowscan.db'}"


def make_engine(settings: Settings) -> Engine:
    url = database_url(settings)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(connection, _record) -> None:
        """WAL: readers (the walls' polls) never block the writer (students' drawings), nor it them."""
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine
