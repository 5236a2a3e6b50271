"""The class-mode tables: rooms, their drawings and their event log (migration 0002_rooms).

Each room keeps its own event counter (`rooms.event_seq`): a new event takes the next number in the
statement that locks the room's row, so a room's events are committed in order on SQLite and PostgreSQL
alike, and an event stream that reads "events after N" never skips one that commits late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UTCDateTime


class Room(Base):
    """A class: its code, the hash of the lecturer's token, the current round and its prompt."""

    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    prompt: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    save_samples: Mapped[bool] = mapped_column(Boolean, default=False)


class RoomDrawing(Base):
    """A student's drawing: the 28x28 the model saw (uint8), its answer, the round and prompt it was sent in."""

    __tablename__ = "room_drawings"
    __table_args__ = (Index("ix_room_drawings_rate", "room_id", "client", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    client: Mapped[str] = mapped_column(String(32))  # a hash of the browser's id (or address): the rate limit's key
    nickname: Mapped[str | None] = mapped_column(String(80), nullable=True)
    digit: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    confidence: Mapped[float]
    probabilities: Mapped[list[float]] = mapped_column(JSON)
    pixels: Mapped[bytes] = mapped_column(LargeBinary)  # 784 uint8, row-major
    strokes: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoomEvent(Base):
    """What the wall is told, numbered per room: drawing, hide, round, end (payload: JSON text, sent as is)."""

    __tablename__ = "room_events"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
