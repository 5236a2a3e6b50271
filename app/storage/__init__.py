"""Rowscan's database: SQLAlchemy 2 models and sessions, Alembic migrations run at start-up.

SQLite under ROWSCAN_DATA_DIR by default (WAL mode), PostgreSQL with ROWSCAN_DATABASE_URL. Adding a
table: declare it on `Base` in a module of its own, then add a migration to `migrations/versions/`
whose `down_revision` is the current head (see `migrations/README` and `tests/storage_fixtures.py`).
"""

from app.storage.database import Database, StorageError, open_database
from app.storage.tables import Base, Sample

__all__ = ["Base", "Database", "Sample", "StorageError", "open_database"]
