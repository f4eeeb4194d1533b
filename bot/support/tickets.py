"""The ticket service: a hand-off to the mutuelle's support, stored and e-mailed (issue 7).

``create_ticket(ctx, reason, description, contact_email, member_ref,
transcript_lines)`` stores a ``support_tickets`` row with a reference such as
``MIEL-2511-7F3K9Q`` (tenant, year and month, 6 random characters; unique),
then sends ONE e-mail to the tenant's support address (reference, tenant,
adherent number when the member was verified, contact address, description,
transcript, and the facts verified in the conversation, masked: adherent
number, names and masked NIR of a matched member) and an acknowledgement to
the member.  Description and transcript are masked with
:func:`bot.privacy.mask_text` (NIR, codes, e-mails, phones) before they are
stored or sent.

Tickets cannot be used as a relay: at most ``ASSISTANT_LIMIT_TICKETS_PER_CLIENT``
a day per client and ``ASSISTANT_LIMIT_TICKETS_PER_CONVERSATION`` per
conversation (:mod:`bot.limits`, shared by every replica: ``rate_limited``),
and the acknowledgement carries the reference only, never the member's free
text; for a matched member it goes to the e-mail on file when there is one.

Outcomes: ``sent`` (support e-mail delivered) | ``queued`` (SMTP trouble:
the ticket stays ``queued`` and the outbox retry sends it; the ticket becomes
``sent`` then) | ``no_support_address`` (the tenant profile has no support
e-mail, e.g. SMIE: the ticket is stored ``queued``, nothing is sent, the
caller points the member to the member space) | ``failed`` (the support
address refused it for good: ticket ``failed``) | ``rate_limited`` | ``invalid_email`` |
``invalid_description``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Sequence

from sqlalchemy.exc import IntegrityError

from bot import clock, limits
from bot.activation.otp import normalize_destination
from bot.context import Context
from bot.deadlines import local_time
from bot.notify import DeliveryResult
from bot.privacy import mask_text
from bot.security import mask_email, mask_phone
from bot.store import audit
from bot.store.models import Member, SupportTicket
from bot.support.emails import ticket_ack_email, ticket_email
from bot.support.reason import REASONS

SENT = "sent"
QUEUED = "queued"
FAILED = "failed"
NO_SUPPORT_ADDRESS = "no_support_address"
INVALID_EMAIL = "invalid_email"
INVALID_DESCRIPTION = "invalid_description"
RATE_LIMITED = "rate_limited"

MAX_DESCRIPTION = 4000
MAX_TRANSCRIPT_LINES = 200
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U


@dataclass(frozen=True)
class TicketResult:
    outcome: str
    reference: str | None = None
    support_delivery: DeliveryResult | None = None
    ack_delivery: DeliveryResult | None = None
    contact_email_masked: str | None = None


def verified_facts(member: Member) -> list[str]:
    """What the conversation verified about the member, masked, for support to find the file."""
    facts = [
        f"Adhérent vérifié : {member.last_name.upper()} {member.first_name}, n° {member.adherent_number}",
        f"Numéro de sécurité sociale (masqué) : {member.nir_masked}",
        f"Statut du compte : {member.status}",
        f"Mobile du dossier : {mask_phone(member.mobile) if member.mobile else 'aucun'}",
        f"E-mail du dossier : {mask_email(member.email) if member.email else 'aucun'}",
    ]
    return facts


def new_reference(ctx: Context) -> str:
    prefix = re.sub(r"[^A-Z0-9]", "", ctx.tenant.id.upper())[:8] or "TICKET"
    stamp = local_time(ctx.tenant, clock.now(), ctx.settings.timezone).strftime("%y%m")
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{prefix}-{stamp}-{suffix}"


def create_ticket(
    ctx: Context,
    reason: str,
    description: str,
    contact_email: str,
    member_ref: str | None = None,
    transcript_lines: Sequence[str] = (),
    conversation: str | None = None,
    client: str | None = None,
) -> TicketResult:
    """Store a ticket and send it; see the module docstring for outcomes."""
    address = normalize_destination("email", contact_email or "")
    if address is None:
        return TicketResult(INVALID_EMAIL)
    text = mask_text((description or "").strip())[:MAX_DESCRIPTION]
    if not text:
        return TicketResult(INVALID_DESCRIPTION)
    reason = reason if reason in REASONS else "other"
    transcript = [mask_text(line) for line in list(transcript_lines)[-MAX_TRANSCRIPT_LINES:]]
    member_id = ctx.member_id(member_ref) if member_ref else None
    conv = ctx.conversation_ref(conversation)
    tenant = ctx.tenant
    now = clock.now()
    created = local_time(tenant, now, ctx.settings.timezone).strftime("%d/%m/%Y %H:%M")

    with ctx.session() as session:
        secret = ctx.settings.secret_key
        checks = (
            ("tickets_conversation", f"sender:{conversation}"),
            ("tickets_client", client or f"sender:{conversation}"),
        )
        for name, key in checks:
            decision = limits.hit(session, secret, limits.limit(name, ctx.settings.limits), key)
            if not decision.allowed:
                audit.record(session, "ticket_rate_limited", member_id, conv, limit=name)
                return TicketResult(RATE_LIMITED)

    support_id = ack_id = None
    for _attempt in range(5):
        reference = new_reference(ctx)
        try:
            with ctx.session() as session:
                adherent = None
                facts: list[str] = []
                ack_address = address
                member = session.get(Member, member_id) if member_id is not None else None
                if member is None:
                    member_id = None
                else:
                    adherent = member.adherent_number
                    facts = verified_facts(member)
                    ack_address = member.email or address
                ticket = SupportTicket(
                    reference=reference,
                    tenant=tenant.id,
                    member_id=member_id,
                    adherent_number=adherent,
                    contact_email=address,
                    reason=reason,
                    description=text,
                    transcript="\n".join(transcript),
                    state="queued",
                    created_at=now,
                )
                session.add(ticket)
                session.flush()
                if tenant.support_email:
                    subject, body = ticket_email(
                        tenant, reference, reason, created, adherent, address, text, transcript, facts
                    )
                    support_id = ctx.notifier.queue_email(
                        session,
                        tenant.support_email,
                        subject,
                        body,
                        kind="support_ticket",
                        ticket_id=ticket.id,
                        reply_to=address,
                    )
                    subject, body = ticket_ack_email(tenant, reference)
                    ack_id = ctx.notifier.queue_email(session, ack_address, subject, body, kind="support_ticket_ack")
                audit.record(
                    session,
                    "ticket_created",
                    member_id,
                    conv,
                    reference=reference,
                    reason=reason,
                    support_address=bool(tenant.support_email),
                )
            break
        except IntegrityError:
            continue  # reference already taken: draw another
    else:
        raise RuntimeError("could not draw a unique ticket reference")

    masked = mask_email(address)
    if support_id is None:
        return TicketResult(NO_SUPPORT_ADDRESS, reference, contact_email_masked=masked)
    support = ctx.notifier.deliver(support_id)
    ack = ctx.notifier.deliver(ack_id) if ack_id is not None else None
    outcome = SENT if support.delivered else QUEUED if support.queued else FAILED
    return TicketResult(outcome, reference, support, ack, masked)
