"""Alembic, configured in code: the migration scripts live in this package, no alembic.ini needed.

Alembic itself is imported only when there is something to migrate: a start-up that finds the
schema at the latest script (every start but the first after an upgrade) reads one row instead,
which keeps Alembic (and Mako, and Pygments) out of the cold start (~0.2 s).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"  # Alembic's default, as env.py leaves it
_REVISION_LINE = re.compile(r'^(down_revision|revision) = "?([\w.-]+|None)"?$', re.M)


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the latest by default); a no-op when it is there already."""
    if revision == "head" and _stored_revisions(engine) == {head_revision()}:
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The latest migration: the one script that no other script revises (the history is one line)."""
    revisions, revised = set(), set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(script.read_text()):
            (revisions if name == "revision" else revised).add(value)
    [head] = revisions - revised
    return head


def _stored_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return set()
        return {row[0] for row in connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))}


def new_revision(engine: Engine, message: str, autogenerate: bool) -> None:
    """Write a migration script into migrations/versions/, chained after the current head."""
    from alembic import command

    command.revision(alembic_config(engine), message=message, autogenerate=autogenerate)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty one); the history is one line, so one row."""
    return next(iter(_stored_revisions(engine)), None)
