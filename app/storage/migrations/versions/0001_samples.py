"""samples: the digits people drew and labelled

Revision ID: 0001_samples
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.storage.tables import UTCDateTime

revision = "0001_samples"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "samples",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("label", sa.SmallInteger(), nullable=False),
        sa.Column("predicted", sa.SmallInteger(), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("probabilities", sa.JSON(), nullable=False),
        sa.Column("pixels", sa.LargeBinary(), nullable=False),
        sa.Column("strokes", sa.JSON(), nullable=True),
        sqlite_autoincrement=True,  # ids are never reused after a delete
    )
    for column in ("created_at", "client_id", "label", "predicted"):
        op.create_index(f"ix_samples_{column}", "samples", [column])


def downgrade() -> None:
    op.drop_table("samples")
