"""Shared abuse limits and conversation-bound one-time codes.

- ``rate_counters``: counts per limit, key (keyed hash) and time bucket
  (``bot.limits``), shared by every replica;
- ``challenges.conversation``: the keyed hash of the conversation that asked
  for a code; a code is only checked in that conversation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("scope", sa.String(48), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("bucket_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key_hash", "bucket_start", name="pk_rate_counters"),
    )
    op.create_index("ix_rate_counters_bucket", "rate_counters", ["bucket_start"])
    with op.batch_alter_table("challenges") as batch:
        batch.add_column(sa.Column("conversation", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("challenges") as batch:
        batch.drop_column("conversation")
    op.drop_index("ix_rate_counters_bucket", table_name="rate_counters")
    op.drop_table("rate_counters")
