"""rooms: class mode's rooms, their drawings and their event log

Revision ID: 0002_rooms
Revises: 0001_samples
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.storage.tables import UTCDateTime

revision = "0002_rooms"
down_revision = "0001_samples"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_active_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.SmallInteger(), nullable=True),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("save_samples", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_rooms_last_active_at", "rooms", ["last_active_at"])
    op.create_table(
        "room_drawings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.SmallInteger(), nullable=True),
        sa.Column("client", sa.String(32), nullable=False),
        sa.Column("nickname", sa.String(80), nullable=True),
        sa.Column("digit", sa.SmallInteger(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("probabilities", sa.JSON(), nullable=False),
        sa.Column("pixels", sa.LargeBinary(), nullable=False),
        sa.Column("strokes", sa.JSON(), nullable=True),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_room_drawings_rate", "room_drawings", ["room_id", "client", "created_at"])
    op.create_table(
        "room_events",
        sa.Column("room_id", sa.Integer(), sa.ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("room_events")
    op.drop_table("room_drawings")
    op.drop_table("rooms")
