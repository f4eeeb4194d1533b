"""The security audit trail: one append-only ``audit_events`` row per security event.

``record(session, event, member_id, conversation=None, **details)`` adds a
row in the caller's transaction (flushed, committed with it); nothing in the
code updates or deletes a row.  ``conversation`` is the *hashed*
conversation id (:meth:`bot.context.Context.conversation_ref`).  Details are
a small JSON object for context (channel, masked destination, attempt
number...) and must never hold a secret: keys naming one (``nir``, ``code``,
``password``, ``token``, ``email``...) are refused, so a careless caller
fails loudly in tests instead of leaking, and string values are passed
through :func:`bot.privacy.mask_text` as a second line of defence.

:func:`count_since` counts a member's events of one kind since an instant
(the per-member limits of codes and links).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.privacy import mask_text
from bot.store.models import AuditEvent

# events written by the command line (the conversation's are named where they happen)
MEMBER_UNLOCKED = "member_unlocked"
MEMBERS_IMPORTED = "members_imported"

FORBIDDEN_KEYS = frozenset(
    {
        "nir",
        "code",
        "otp",
        "password",
        "password_hash",
        "token",
        "secret",
        "access_code",
        "activation_code",
        "birth_date",
        "email",
        "mobile",
        "phone",
        "link",
        "url",
    }
)
MAX_EVENT = 48
MAX_VALUE = 200


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)[:MAX_VALUE]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    return mask_text(str(value))[:MAX_VALUE]


def record(
    session: Session,
    event: str,
    member_id: int | None = None,
    conversation: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one audit event (flushed with the caller's transaction)."""
    bad = sorted(k for k in details if k.lower() in FORBIDDEN_KEYS)
    if bad:
        raise ValueError(f"audit details must not hold secrets: {', '.join(bad)}")
    row = AuditEvent(
        at=clock.now(),
        event=event[:MAX_EVENT],
        member_id=member_id,
        conversation=conversation,
        details={k: _clean(v) for k, v in details.items()} or None,
    )
    session.add(row)
    session.flush()
    return row


def count_since(session: Session, event: str, member_id: int, since: datetime) -> int:
    """How many ``event`` rows the member has since ``since`` (rate limits)."""
    return int(
        session.execute(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.event == event, AuditEvent.member_id == member_id, AuditEvent.at >= since
            )
        ).scalar_one()
    )
