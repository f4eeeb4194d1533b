"""Append-only audit log of security events (no secret ever goes in).

Only :func:`record_event` writes to ``audit_events``; nothing in the code
updates or deletes a row.  ``details`` is a small JSON object for context
(channel, masked destination, attempt number...); keys that name a secret
are refused so a careless caller fails loudly in tests instead of leaking.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy.orm import Session

from bot.clock import now as clock_now
from bot.store.models import AuditEvent

CHALLENGE_SENT = "challenge_sent"
WRONG_CODE = "wrong_code"
MEMBER_LOCKED = "member_locked"
MEMBER_UNLOCKED = "member_unlocked"
ACTIVATED = "activated"
PASSWORD_SET = "password_set"  # noqa: S105 - an event name
IDENTITY_MISMATCH = "identity_mismatch"
MEMBERS_IMPORTED = "members_imported"

FORBIDDEN_DETAIL_KEYS = frozenset(
    {"nir", "code", "otp", "password", "token", "secret", "access_code", "link", "url"}
)


def record_event(
    session: Session,
    event: str,
    *,
    member_id: int | None = None,
    conversation: str | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event (flushed with the caller's transaction)."""
    if details:
        bad = sorted(key for key in details if key.lower() in FORBIDDEN_DETAIL_KEYS)
        if bad:
            raise ValueError(f"audit details must not carry secrets: {', '.join(bad)}")
    entry = AuditEvent(
        event=event,
        member_id=member_id,
        conversation=conversation,
        details=dict(details) if details else None,
        at=at or clock_now(),
    )
    session.add(entry)
    session.flush()
    return entry
