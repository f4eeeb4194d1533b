"""SQLAlchemy models of the member store (the schema Alembic migrates).

No secret is stored in clear: the NIR as a keyed hash plus a masked form,
access codes and tokens as keyed hashes, one-time-code secrets and outbox
payloads encrypted (``bot.security``), passwords as Argon2id hashes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

# named constraints, so later (SQLite batch) migrations can refer to them;
# check constraints carry their full name explicitly
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# typed as Any: SQLAlchemy 1.4's declarative_base() is not a class mypy can check
# without the sqlalchemy2-stubs plugin, which Rasa's pin on SQLAlchemy 1.4 does not ship
Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

MEMBER_STATUSES = ("inactive", "pending", "active", "locked")
OUTBOX_STATES = ("pending", "sent", "failed", "dead")


class UtcDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    from bot.clock import now

    return now()


class Member(Base):
    __tablename__ = "members"

    id = Column(Integer, primary_key=True)
    adherent_number = Column(String(32), nullable=False, unique=True)
    nir_hash = Column(String(64), nullable=False, index=True)
    nir_masked = Column(String(32), nullable=False)
    birth_date = Column(Date, nullable=False)
    birth_department = Column(String(3), nullable=False)
    last_name = Column(String(120), nullable=False)
    first_name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=True)
    mobile = Column(String(20), nullable=True)  # E.164
    access_code_hash = Column(String(64), nullable=True)
    password_hash = Column(String(255), nullable=True)  # Argon2id
    status = Column(String(10), nullable=False, default="inactive")
    # bumped on every state change: guards concurrent activations
    version = Column(Integer, nullable=False, default=1)
    activated_at = Column(UtcDateTime, nullable=True)
    locked_at = Column(UtcDateTime, nullable=True)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    updated_at = Column(UtcDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (CheckConstraint(f"status IN {MEMBER_STATUSES!r}", name="ck_members_status"),)


class Challenge(Base):
    """A one-time code sent by SMS or e-mail (never the code itself)."""

    __tablename__ = "challenges"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(8), nullable=False)  # "sms" | "email"
    purpose = Column(String(32), nullable=False)  # "activation" | "smie_activation" | ...
    secret_encrypted = Column(Text, nullable=False)  # pyotp base32 secret, Fernet-encrypted
    counter = Column(Integer, nullable=False, default=0)  # HOTP counter
    destination_masked = Column(String(64), nullable=False)
    expires_at = Column(UtcDateTime, nullable=False)
    attempts_used = Column(Integer, nullable=False, default=0)
    max_attempts = Column(Integer, nullable=False, default=3)
    consumed_at = Column(UtcDateTime, nullable=True)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    # keyed hash of the conversation that asked for the code: only it may check it
    conversation = Column(String(64), nullable=True)

    member = relationship(Member)
    __table_args__ = (
        CheckConstraint("attempts_used >= 0 AND attempts_used <= max_attempts", name="ck_challenges_attempts"),
        CheckConstraint("channel IN ('sms', 'email')", name="ck_challenges_channel"),
    )


class ActivationToken(Base):
    """A single-use link token (and optional typed activation code), hashed."""

    __tablename__ = "activation_tokens"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    code_hash = Column(String(64), nullable=True, index=True)  # SMIE "code d'activation"
    purpose = Column(String(32), nullable=False)  # "set_password" | "smie_confirm"
    email = Column(String(254), nullable=True)  # address the link was sent to (SMIE flow)
    expires_at = Column(UtcDateTime, nullable=False)
    used_at = Column(UtcDateTime, nullable=True)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)

    member = relationship(Member)


class Consent(Base):
    __tablename__ = "consents"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False, index=True)
    cgu_version = Column(String(64), nullable=False)
    accepted_at = Column(UtcDateTime, nullable=False, default=utcnow)
    channel = Column(String(32), nullable=True)
    paperless_statements = Column(Boolean, nullable=True)
    paperless_letters = Column(Boolean, nullable=True)


class AuditEvent(Base):
    """Append-only log of security events. Never holds a secret."""

    __tablename__ = "audit_events"

    id = Column(Integer, primary_key=True)
    at = Column(UtcDateTime, nullable=False, default=utcnow, index=True)
    event = Column(String(48), nullable=False, index=True)
    member_id = Column(Integer, ForeignKey("members.id", ondelete="SET NULL"), nullable=True, index=True)
    conversation = Column(String(64), nullable=True)  # keyed hash of the sender id
    details = Column(JSON, nullable=True)


class SupportTicket(Base):
    __tablename__ = "support_tickets"

    id = Column(Integer, primary_key=True)
    reference = Column(String(32), nullable=False, unique=True)
    tenant = Column(String(32), nullable=False)
    member_id = Column(Integer, ForeignKey("members.id", ondelete="SET NULL"), nullable=True)
    adherent_number = Column(String(32), nullable=True)
    contact_email = Column(String(254), nullable=True)
    reason = Column(String(48), nullable=False)
    description = Column(Text, nullable=False)
    transcript = Column(Text, nullable=False)  # already masked
    state = Column(String(10), nullable=False, default="queued")  # queued | sent | failed
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    sent_at = Column(UtcDateTime, nullable=True)


class OutboxMessage(Base):
    """A message to deliver (e-mail or SMS) and its delivery state.

    ``payload_encrypted`` holds the recipient, subject and body (they may carry
    a code or a link) encrypted; ``recipient_masked`` is for display.
    """

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    channel = Column(String(8), nullable=False)  # "sms" | "email"
    kind = Column(String(48), nullable=False)  # e.g. "activation_code", "identifier", "ticket"
    recipient_masked = Column(String(64), nullable=False)
    payload_encrypted = Column(Text, nullable=False)
    state = Column(String(8), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(255), nullable=True)
    next_attempt_at = Column(UtcDateTime, nullable=True)
    created_at = Column(UtcDateTime, nullable=False, default=utcnow)
    sent_at = Column(UtcDateTime, nullable=True)
    ticket_id = Column(Integer, ForeignKey("support_tickets.id", ondelete="SET NULL"), nullable=True)

    __table_args__ = (
        CheckConstraint(f"state IN {OUTBOX_STATES!r}", name="ck_outbox_state"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
    )


class SendLog(Base):
    """One row per one-time code sent, for the per-member hourly send limit."""

    __tablename__ = "send_log"

    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    purpose = Column(String(32), nullable=False)
    at = Column(UtcDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_send_log_member_at", "member_id", "at"),)


class RateCounter(Base):
    """Events counted per limit and key in fixed time buckets (``bot.limits``)."""

    __tablename__ = "rate_counters"

    scope = Column(String(48), primary_key=True)
    key_hash = Column(String(64), primary_key=True)  # keyed hash: never a number or an address
    bucket_start = Column(UtcDateTime, primary_key=True)
    count = Column(Integer, nullable=False, default=0)

    __table_args__ = (Index("ix_rate_counters_bucket", "bucket_start"),)


__all__ = [
    "Base",
    "Member",
    "Challenge",
    "ActivationToken",
    "Consent",
    "AuditEvent",
    "SupportTicket",
    "OutboxMessage",
    "SendLog",
    "RateCounter",
    "UniqueConstraint",
    "MEMBER_STATUSES",
]
