"""The tables, as SQLAlchemy 2 declarative classes (their schema changes go through migrations/)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, LargeBinary, SmallInteger, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone, so it is put back on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Every table's base: `Base.metadata` is what Alembic compares migrations against."""


class Sample(Base):
    """A digit someone drew and labelled: what the model saw, what it answered, and the right answer.

    No IP address and no user agent: `client_id` is a random id the browser keeps for itself."""

    __tablename__ = "samples"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, index=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[int] = mapped_column(SmallInteger, index=True)
    predicted: Mapped[int] = mapped_column(SmallInteger, index=True)
    model: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(32))
    probabilities: Mapped[list[float]] = mapped_column(JSON)
    pixels: Mapped[bytes] = mapped_column(LargeBinary)  # the 28x28 float32 input the model saw, little-endian
    strokes: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
