"""Delivery of e-mails and SMS: the one door every message goes through.

:class:`Notifier` records each message in the ``outbox`` table (payload
encrypted) and delivers it through the configured transport: SMTP when
``SMTP_HOST`` is set, an SMS provider when ``SMS_PROVIDER`` is set, and
otherwise the outbox file (one JSON line per message in
``settings.outbox_path``).  Every call returns a :class:`DeliveryResult`:

- ``delivered``: the transport accepted the message;
- ``queued``: an e-mail could not be sent now; it stays in the outbox and
  :meth:`Notifier.retry_due` (``python -m bot outbox retry``) sends it later;
- ``failed``: not sent and not retried (an SMS, or a permanent refusal).

The caller turns ``queued``/``failed`` into the reply of
:func:`bot.notify.replies.delivery_problem` (a ``domain.yml`` response, the
alternative included; :func:`delivery_problem_message` renders it for a reply
that says it inside its own); nothing is silently lost.

Services that change state and send messages in one go use
:meth:`Notifier.queue_email` / :meth:`Notifier.queue_sms` inside their own
transaction, then :meth:`Notifier.deliver` after the commit.  Never call
``send_*`` or ``deliver`` while holding an open write transaction (SQLite
would wait for itself).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import clock
from bot.notify import outbox
from bot.notify.base import (
    DELIVERED,
    FAILED,
    QUEUED,
    DeliveryError,
    DeliveryResult,
    Email,
    EmailSender,
    Sms,
    SmsSender,
)
from bot.notify.outbox import OutboxFileSender, Payload, RefusedOutboxFile
from bot.notify.replies import delivery_problem
from bot.notify.sms import make_sms_sender
from bot.notify.smtp import SmtpEmailSender
from bot.reply import render_text
from bot.settings import Settings
from bot.store.db import session_scope
from bot.store.models import OutboxMessage
from bot.tenants import Tenant
from bot.tenants.facts import tenant_slot_values

log = logging.getLogger("bot.notify")

BUSY = "being delivered by another process"

__all__ = [
    "DELIVERED",
    "QUEUED",
    "FAILED",
    "DeliveryError",
    "DeliveryResult",
    "Email",
    "Sms",
    "Notifier",
    "RetryReport",
    "delivery_problem",
    "delivery_problem_message",
]


@dataclass
class RetryReport:
    sent: int = 0
    failed: int = 0  # still to be retried
    dead: int = 0
    skipped: int = 0  # taken by another process meanwhile
    ids: list[int] = field(default_factory=list)


class Notifier:
    """Queue and deliver messages; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        tenant: Tenant | None = None,
        email_sender: EmailSender | None = None,
        sms_sender: SmsSender | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.tenant = tenant
        file_sender: OutboxFileSender | RefusedOutboxFile = (
            RefusedOutboxFile() if settings.outbox_file_refused else OutboxFileSender(settings.outbox_path)
        )
        default_sender = tenant.sender_email if tenant else None
        if email_sender is None:
            email_sender = SmtpEmailSender(settings.smtp, default_sender) if settings.smtp else file_sender
        if sms_sender is None:
            sms_sender = make_sms_sender(settings.sms) or file_sender
        self.email_sender = email_sender
        self.sms_sender = sms_sender

    # ---- queueing inside a caller's transaction ---------------------------------------

    def queue_email(
        self,
        session: Session,
        to: str,
        subject: str,
        body: str,
        kind: str,
        ticket_id: int | None = None,
        reply_to: str | None = None,
    ) -> int:
        payload = Payload(
            to=to,
            subject=subject,
            body=body,
            sender=self.tenant.sender_email if self.tenant else None,
            sender_name=self.tenant.display_name if self.tenant else None,
            reply_to=reply_to,
        )
        row = outbox.queue(
            session, self.settings.secret_key, channel="email", kind=kind, payload=payload, ticket_id=ticket_id
        )
        return int(row.id)

    def queue_sms(self, session: Session, to: str, body: str, kind: str) -> int:
        payload = Payload(to=to, subject=None, body=body)
        row = outbox.queue(session, self.settings.secret_key, channel="sms", kind=kind, payload=payload)
        return int(row.id)

    # ---- one-shot sending ------------------------------------------------------------

    def send_email(
        self,
        to: str,
        subject: str,
        body: str,
        kind: str,
        ticket_id: int | None = None,
        reply_to: str | None = None,
    ) -> DeliveryResult:
        with session_scope(self.engine) as session:
            row_id = self.queue_email(session, to, subject, body, kind, ticket_id=ticket_id, reply_to=reply_to)
        return self.deliver(row_id)

    def send_sms(self, to: str, body: str, kind: str) -> DeliveryResult:
        with session_scope(self.engine) as session:
            row_id = self.queue_sms(session, to, body, kind)
        return self.deliver(row_id)

    # ---- delivery --------------------------------------------------------------------

    def deliver(self, outbox_id: int, due_only: bool = False, now: datetime | None = None) -> DeliveryResult:
        """One delivery attempt of a queued row (claimed first, so never twice at once)."""
        return self._deliver(outbox_id, due_only, now)[0]

    def _deliver(self, outbox_id: int, due_only: bool, now: datetime | None) -> tuple[DeliveryResult, bool]:
        """(result, whether this call made the attempt)."""
        now = now or clock.now()
        with session_scope(self.engine) as session:
            row = session.get(OutboxMessage, outbox_id)
            if row is None:
                raise ValueError(f"no outbox message #{outbox_id}")
            channel, masked, kind = row.channel, row.recipient_masked, row.kind
            if row.state == "sent":
                return DeliveryResult(DELIVERED, channel, outbox_id, masked), False
            if row.state == "dead":
                return DeliveryResult(FAILED, channel, outbox_id, masked, row.last_error), False
            if not outbox.claim(session, outbox_id, row.attempts, now, due_only):
                return DeliveryResult(QUEUED, channel, outbox_id, masked, BUSY), False
            payload = outbox.load_payload(self.settings.secret_key, row)
        try:
            if channel == "email":
                self.email_sender.send_email(
                    Email(
                        to=payload.to,
                        subject=payload.subject or "",
                        body=payload.body,
                        kind=kind,
                        sender=payload.sender,
                        sender_name=payload.sender_name,
                        reply_to=payload.reply_to,
                    )
                )
            else:
                self.sms_sender.send_sms(Sms(to=payload.to, body=payload.body, kind=kind))
        except DeliveryError as exc:
            error = str(exc)
            with session_scope(self.engine) as session:
                state = outbox.mark_failed(session, outbox_id, clock.now(), error, exc.permanent)
            log.warning("outbox #%s %s %s to %s: %s (%s)", outbox_id, channel, kind, masked, state, error)
            return DeliveryResult(QUEUED if state == "failed" else FAILED, channel, outbox_id, masked, error), True
        with session_scope(self.engine) as session:
            outbox.mark_sent(session, outbox_id, clock.now())
        log.info("outbox #%s %s %s to %s: sent", outbox_id, channel, kind, masked)
        return DeliveryResult(DELIVERED, channel, outbox_id, masked), True

    def retry_due(self, now: datetime | None = None, limit: int = 100) -> RetryReport:
        """Send every e-mail whose next attempt is due; drop stale SMS (``dead``)."""
        now = now or clock.now()
        report = RetryReport()
        with session_scope(self.engine) as session:
            due = outbox.due_rows(session, now, limit)
        for row_id, attempts, channel in due:
            if channel != "email":
                with session_scope(self.engine) as session:
                    if outbox.expire_sms(session, row_id, attempts):
                        report.dead += 1
                    else:
                        report.skipped += 1
                continue
            result, attempted = self._deliver(row_id, True, now)
            if not attempted:
                report.skipped += 1
                continue
            report.ids.append(row_id)
            if result.delivered:
                report.sent += 1
            elif result.failed:
                report.dead += 1
            else:
                report.failed += 1
        return report


def delivery_problem_message(result: DeliveryResult, tenant: Tenant | None = None) -> str | None:
    """The French sentence of :func:`bot.notify.replies.delivery_problem` for ``result`` (None when delivered),
    for a reply that says it inside its own (``{problem}``): rendered from ``domain.yml``."""
    reply = delivery_problem(result, tenant)
    if reply is None:
        return None
    return render_text(reply, tenant_slot_values(tenant) if tenant is not None else None)
