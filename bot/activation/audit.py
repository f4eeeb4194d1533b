"""The security audit trail: one ``audit_events`` row per security event.

``record(session, event, member_id, conversation=None, **details)`` adds a
row in the caller's transaction.  ``conversation`` is the *hashed*
conversation id (:meth:`bot.activation.context.Context.conversation_ref`).
Details must never hold a secret: keys naming one (``nir``, ``code``,
``password``, ``token``...) are refused, and string values are passed through
:func:`bot.privacy.mask_text` as a second line of defence.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.privacy import mask_text
from bot.store.models import AuditEvent

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
    }
)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)[:200]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return mask_text(str(value))[:200]


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
        event=event[:48],
        member_id=member_id,
        conversation=conversation,
        details={k: _clean(v) for k, v in details.items()} or None,
    )
    session.add(row)
    session.flush()
    return row


def count_since(session: Session, event: str, member_id: int, since: Any) -> int:
    """How many ``event`` rows the member has since ``since`` (rate limits)."""
    return int(
        session.execute(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.event == event, AuditEvent.member_id == member_id, AuditEvent.at >= since
            )
        ).scalar_one()
    )
