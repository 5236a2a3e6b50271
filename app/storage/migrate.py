"""Alembic, configured in code: the migration scripts live in this package, no alembic.ini needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the latest by default); a no-op when it is there already."""
    command.upgrade(alembic_config(engine), revision)


def new_revision(engine: Engine, message: str, autogenerate: bool) -> None:
    """Write a migration script into migrations/versions/, chained after the current head."""
    command.revision(alembic_config(engine), message=message, autogenerate=autogenerate)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
