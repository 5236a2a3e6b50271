"""The class-mode tables (SQLAlchemy Core; created by the Alembic migration of the same shape).

Each room keeps its own event counter (`rooms.event_seq`): a new event takes the next number in the
same statement that locks the room's row, so a room's events are committed in order on SQLite and
PostgreSQL alike, and an event stream that reads "events after N" never skips one that commits late.
Times are Unix seconds (float) so both databases compare them the same way.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_active_at", Float, nullable=False),
    Column("ended_at", Float, nullable=True),
    Column("round", Integer, nullable=False, default=1),
    Column("prompt", SmallInteger, nullable=True),
    Column("event_seq", Integer, nullable=False, default=0),
    Column("save_samples", Boolean, nullable=False, default=False),
)

room_drawings = Table(
    "room_drawings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("prompt", SmallInteger, nullable=True),
    Column("client", String(32), nullable=False),
    Column("nickname", String(80), nullable=True),
    Column("digit", SmallInteger, nullable=True),
    Column("confidence", Float, nullable=False),
    Column("probabilities", Text, nullable=False),  # JSON list of 10 floats
    Column("pixels", LargeBinary, nullable=False),  # the 28x28 input the model saw, uint8, row-major
    Column("strokes", Text, nullable=True),  # JSON, as the pad sent them
    Column("hidden", Boolean, nullable=False, default=False),
    Column("created_at", Float, nullable=False),
    Index("ix_room_drawings_rate", "room_id", "client", "created_at"),
)

room_events = Table(
    "room_events",
    metadata,
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("payload", Text, nullable=False),  # JSON
    Column("created_at", Float, nullable=False),
)
