"""The outbox: every message is a row first, then a delivery attempt.

Rows of the ``outbox`` table hold the recipient, subject and body encrypted
(``bot.security.encrypt``) and a masked recipient for display.  A row is
written in the caller's transaction (so a message and the state change that
caused it commit together), then delivered; e-mails that fail are retried with
exponential backoff until ``MAX_ATTEMPTS``, then marked ``dead``.  SMS are not
retried (a late one-time code is useless): a failed SMS is ``dead`` at once.

Row states: ``pending`` (never tried, or being delivered), ``failed`` (last
attempt failed, next one at ``next_attempt_at``), ``sent``, ``dead``.  A
delivery first *claims* the row with a conditional UPDATE, so two processes
(the action server and ``python -m bot outbox retry``) never send it twice.

:class:`OutboxFileSender` is the transport used when no SMTP server or SMS
provider is configured: it appends one JSON line per message to the outbox
file (``settings.outbox_path``) under an exclusive ``flock``, so concurrent
processes never interleave lines.  With an https public URL it is refused
(:class:`RefusedOutboxFile`) unless ``ASSISTANT_ALLOW_OUTBOX_FILE`` allows it:
codes and links must not sit in a local file of a production server.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.notify.base import DeliveryError, Email, Sms
from bot.security import decrypt, encrypt, mask_email, mask_phone
from bot.store.models import OutboxMessage, SupportTicket

LEASE = timedelta(minutes=2)  # a claimed row is not re-claimed before this
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 8  # about 4 hours of retries, then "dead"

RETRYABLE_STATES = ("pending", "failed")


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed ones (1 min, 2, 4 ... 6 h)."""
    delay = BASE_DELAY * (2 ** max(0, attempts - 1))
    return min(delay, MAX_DELAY)


def mask_recipient(channel: str, to: str) -> str:
    return mask_email(to) if channel == "email" else mask_phone(to)


# ---- the file transport --------------------------------------------------------------


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append ``record`` as one line to ``path``, atomically w.r.t. other writers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class OutboxFileSender:
    """Delivers e-mails and SMS by writing them to the outbox JSONL file."""

    def __init__(self, path: Path, now: Callable[[], datetime] = clock.now) -> None:
        self.path = Path(path)
        self._now = now

    def send_email(self, message: Email) -> None:
        self._write("email", message.to, message.subject, message.body, message.kind)

    def send_sms(self, message: Sms) -> None:
        self._write("sms", message.to, None, message.body, message.kind)

    def _write(self, channel: str, to: str, subject: str | None, body: str, kind: str) -> None:
        record = {
            "channel": channel,
            "to": to,
            "subject": subject,
            "body": body,
            "created_at": self._now().isoformat(),
            "kind": kind,
        }
        try:
            append_jsonl(self.path, record)
        except OSError as exc:
            raise DeliveryError(f"outbox file {self.path} not writable ({exc.strerror})") from None


OUTBOX_FILE_REFUSED = (
    "no SMTP server or SMS provider configured, and the outbox file is refused with an https "
    "public URL (set ASSISTANT_ALLOW_OUTBOX_FILE=true to allow it)"
)


class RefusedOutboxFile:
    """Stands for the outbox file in production: every delivery fails (the row stays
    queued, retried once a real transport is configured), nothing is written."""

    def send_email(self, message: Email) -> None:
        raise DeliveryError(OUTBOX_FILE_REFUSED)

    def send_sms(self, message: Sms) -> None:
        raise DeliveryError(OUTBOX_FILE_REFUSED)


# ---- rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    to: str
    subject: str | None
    body: str
    sender: str | None = None
    sender_name: str | None = None
    reply_to: str | None = None


def queue(
    session: Session,
    secret_key: str,
    *,
    channel: str,
    kind: str,
    payload: Payload,
    ticket_id: int | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add a ``pending`` row in ``session`` (flushed, so it has an id).

    ``next_attempt_at`` is set one lease ahead: the process that queued it
    delivers it right after commit; the retry job only takes it if that
    process died before doing so.
    """
    if channel not in ("email", "sms"):
        raise ValueError(f"unknown channel {channel!r}")
    now = now or clock.now()
    row = OutboxMessage(
        channel=channel,
        kind=kind,
        recipient_masked=mask_recipient(channel, payload.to)[:64],
        payload_encrypted=encrypt(secret_key, json.dumps(payload.__dict__, ensure_ascii=False)),
        state="pending",
        attempts=0,
        next_attempt_at=now + LEASE,
        created_at=now,
        ticket_id=ticket_id,
    )
    session.add(row)
    session.flush()
    return row


def load_payload(secret_key: str, row: OutboxMessage) -> Payload:
    data = json.loads(decrypt(secret_key, row.payload_encrypted))
    return Payload(**data)


def claim(session: Session, row_id: int, expected_attempts: int, now: datetime, due_only: bool) -> bool:
    """Take the row for one delivery attempt; False when another process has it."""
    conditions = [
        OutboxMessage.id == row_id,
        OutboxMessage.state.in_(RETRYABLE_STATES),
        OutboxMessage.attempts == expected_attempts,
    ]
    if due_only:
        conditions.append(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
    result = session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(session: Session, row_id: int, now: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(state="sent", sent_at=now, next_attempt_at=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    ticket_id = session.execute(select(OutboxMessage.ticket_id).where(OutboxMessage.id == row_id)).scalar_one()
    if ticket_id is not None:
        session.execute(
            update(SupportTicket)
            .where(SupportTicket.id == ticket_id)
            .values(state="sent", sent_at=now)
            .execution_options(synchronize_session=False)
        )


def mark_failed(session: Session, row_id: int, now: datetime, error: str, permanent: bool) -> str:
    """Record a failed attempt; returns the new state (``failed`` or ``dead``)."""
    row = session.execute(select(OutboxMessage).where(OutboxMessage.id == row_id)).scalar_one()
    dead = permanent or row.channel != "email" or row.attempts >= MAX_ATTEMPTS
    state = "dead" if dead else "failed"
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(
            state=state,
            last_error=error[:255],
            next_attempt_at=None if dead else now + backoff(row.attempts),
        )
        .execution_options(synchronize_session=False)
    )
    if dead and row.ticket_id is not None:
        session.execute(
            update(SupportTicket)
            .where(SupportTicket.id == row.ticket_id)
            .values(state="failed")
            .execution_options(synchronize_session=False)
        )
    return state


def due_rows(session: Session, now: datetime, limit: int = 100) -> list[tuple[int, int, str]]:
    """(id, attempts, channel) of the rows whose next attempt is due."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.channel)
        .where(
            OutboxMessage.state.in_(RETRYABLE_STATES),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def expire_sms(session: Session, row_id: int, expected_attempts: int) -> bool:
    """A one-time-code SMS found undelivered by the retry job is dropped (``dead``)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.state.in_(RETRYABLE_STATES),
            OutboxMessage.attempts == expected_attempts,
        )
        .values(state="dead", next_attempt_at=None, last_error="SMS not delivered in time; not retried")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
