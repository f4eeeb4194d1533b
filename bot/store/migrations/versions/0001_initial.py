"""Initial schema of the member store.

Written out explicitly (not generated at run time) from bot/store/models.py;
tests/unit/store/test_store_migrations.py checks that the migrated database
matches the models.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adherent_number", sa.String(32), nullable=False),
        sa.Column("nir_hash", sa.String(64), nullable=False),
        sa.Column("nir_masked", sa.String(32), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_department", sa.String(3), nullable=False),
        sa.Column("last_name", sa.String(120), nullable=False),
        sa.Column("first_name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("mobile", sa.String(20), nullable=True),
        sa.Column("access_code_hash", sa.String(64), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("activated_at", _utc(), nullable=True),
        sa.Column("locked_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("adherent_number", name="uq_members_adherent_number"),
        sa.CheckConstraint(
            "status IN ('inactive', 'pending', 'active', 'locked')",
            name="ck_members_status",
        ),
    )
    op.create_index("ix_members_nir_hash", "members", ["nir_hash"])

    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("destination_masked", sa.String(64), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("attempts_used", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("consumed_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_challenges"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_challenges_member_id_members", ondelete="CASCADE"
        ),
        sa.CheckConstraint("attempts_used >= 0 AND attempts_used <= max_attempts", name="ck_challenges_attempts"),
        sa.CheckConstraint("channel IN ('sms', 'email')", name="ck_challenges_channel"),
    )
    op.create_index("ix_challenges_member_id", "challenges", ["member_id"])

    op.create_table(
        "activation_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=True),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("used_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_activation_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_activation_tokens_token_hash"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_activation_tokens_member_id_members", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_activation_tokens_member_id", "activation_tokens", ["member_id"])
    op.create_index("ix_activation_tokens_code_hash", "activation_tokens", ["code_hash"])

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cgu_version", sa.String(64), nullable=False),
        sa.Column("accepted_at", _utc(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("paperless_statements", sa.Boolean(), nullable=True),
        sa.Column("paperless_letters", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consents"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_consents_member_id_members", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_consents_member_id", "consents", ["member_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("event", sa.String(48), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("conversation", sa.String(64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_audit_events_member_id_members", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_event", "audit_events", ["event"])
    op.create_index("ix_audit_events_member_id", "audit_events", ["member_id"])

    op.create_table(
        "support_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("tenant", sa.String(32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("adherent_number", sa.String(32), nullable=True),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("reason", sa.String(48), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_support_tickets"),
        sa.UniqueConstraint("reference", name="uq_support_tickets_reference"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_support_tickets_member_id_members", ondelete="SET NULL"
        ),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("recipient_masked", sa.String(64), nullable=False),
        sa.Column("payload_encrypted", sa.Text(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(255), nullable=True),
        sa.Column("next_attempt_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["support_tickets.id"], name="fk_outbox_ticket_id_support_tickets", ondelete="SET NULL"
        ),
        sa.CheckConstraint("state IN ('pending', 'sent', 'failed', 'dead')", name="ck_outbox_state"),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at"])

    op.create_table(
        "send_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_send_log"),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name="fk_send_log_member_id_members", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_send_log_member_at", "send_log", ["member_id", "at"])


def downgrade() -> None:
    for table in (
        "send_log",
        "outbox",
        "support_tickets",
        "audit_events",
        "consents",
        "activation_tokens",
        "challenges",
        "members",
    ):
        op.drop_table(table)
