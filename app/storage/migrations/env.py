"""Alembic's entry point: runs the migrations on the engine that app.storage.migrate hands over."""

from __future__ import annotations

from alembic import context

# every table module is imported so autogenerate sees it
import app.classroom.tables
import app.storage.tables  # noqa: F401
from app.storage.tables import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    # SQLite cannot ALTER most things in place: batch mode rebuilds the table instead.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=engine.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
