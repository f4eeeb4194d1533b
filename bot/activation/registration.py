"""SMIE-style registration in conversation (adherent number + access code, CGU, e-mail).

The guide's steps, as services:

1. :func:`check_access` -> ``matched`` (with ``member_ref``) | ``no_match``
   (unknown number or wrong code: same answer) | ``already_active`` |
   ``locked``.  The access code is compared by keyed hash
   (``keyed_hash(secret, "access_code", code.strip().upper())``).
2. :func:`record_cgu_acceptance` stores the acceptance with its version and
   time (``consents``) -> ``recorded`` | ``invalid_ref``.
3. :func:`send_confirmation` sends the guide's e-mail « Espace <name> -
   Demande de confirmation d'inscription »: a « Je valide mon inscription »
   link (``settings.public_url + "/activation/" + token``, valid
   ``tenant.activation_link_hours`` = 24 h, single use) to the password page,
   and a 13-digit activation code as the alternative.  Outcomes: ``sent`` |
   ``queued`` (SMTP trouble: it will be retried) | ``failed`` |
   ``cgu_required`` | ``rate_limited`` | ``invalid_email`` |
   ``already_active`` | ``locked`` | ``invalid_ref``.
4. :func:`confirm_with_code` is for the code typed in the chat.  Decision: the
   code proves the member received the e-mail, so it *confirms the e-mail
   address* (the member becomes ``pending`` with that address) but does not
   consume the link: the password is never asked in the chat, so the member
   still sets it on the page opened by the same link (which stays valid until
   its deadline).  If the link itself is broken, the member asks for a new
   e-mail (:func:`send_confirmation` again).  Outcomes: ``confirmed`` (with the
   link's ``expires_at``) | ``wrong`` | ``expired`` | ``used`` | ``no_token`` |
   ``too_many_attempts`` (5 wrong codes per hour) | ``already_active`` |
   ``invalid_ref``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from bot import clock
from bot.activation import audit, tokens
from bot.activation.activation import activation_link
from bot.activation.context import Context
from bot.activation.emails import format_deadline, registration_confirmation_email
from bot.activation.otp import SEND_WINDOW, normalize_destination
from bot.notify import DeliveryResult
from bot.security import constant_time_equal, keyed_hash, mask_email
from bot.store.models import AuditEvent, Consent, Member, SendLog

MATCHED = "matched"
NO_MATCH = "no_match"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"
INVALID_REF = "invalid_ref"
# wrong access codes accepted per adherent number and hour, across all
# conversations (a conversation only allows 3): beyond, even the right code is
# refused for the hour, so short codes cannot be guessed by starting over
MAX_ACCESS_FAILURES_PER_HOUR = 10
ACCESS_FAILURE_WINDOW = timedelta(hours=1)
RECORDED = "recorded"
SENT = "sent"
QUEUED = "queued"
FAILED = "failed"
CGU_REQUIRED = "cgu_required"
RATE_LIMITED = "rate_limited"
INVALID_EMAIL = "invalid_email"
CONFIRMED = "confirmed"
WRONG = "wrong"
EXPIRED = "expired"
USED = "used"
NO_TOKEN = "no_token"  # noqa: S105 - an outcome name
TOO_MANY_ATTEMPTS = "too_many_attempts"

MAX_WRONG_CODES_PER_HOUR = 5


@dataclass(frozen=True)
class AccessResult:
    outcome: str
    member_ref: str | None = None


@dataclass(frozen=True)
class ConfirmationResult:
    outcome: str
    email_masked: str | None = None
    expires_at: datetime | None = None
    retry_at: datetime | None = None
    delivery: DeliveryResult | None = None


@dataclass(frozen=True)
class CodeResult:
    outcome: str
    expires_at: datetime | None = None  # of the link still to open (CONFIRMED)
    attempts_left: int | None = None  # in the current hour (WRONG)


def normalize_adherent_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def check_access(
    ctx: Context,
    adherent_number: str,
    access_code: str,
    email: str | None = None,
    conversation: str | None = None,
) -> AccessResult:
    """Check the two values « indiqués dans le courrier ».  ``email`` is not used
    for matching (it is the address the member chooses); give it to
    :func:`send_confirmation`."""
    conv = ctx.conversation_ref(conversation)
    wanted = keyed_hash(ctx.settings.secret_key, "access_code", (access_code or "").strip().upper())
    number = normalize_adherent_number(adherent_number)
    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.adherent_number == number)).scalar_one_or_none()
        if member is None and number != (adherent_number or "").strip():
            member = session.execute(
                select(Member).where(Member.adherent_number == (adherent_number or "").strip())
            ).scalar_one_or_none()
        if member is not None and _recent_access_failures(session, member.id) >= MAX_ACCESS_FAILURES_PER_HOUR:
            audit.record(session, "access_throttled", member.id, conv)
            return AccessResult(LOCKED)
        if member is None or not member.access_code_hash or not constant_time_equal(member.access_code_hash, wanted):
            audit.record(session, "access_mismatch", member.id if member else None, conv)
            return AccessResult(NO_MATCH)
        if member.status == "active":
            audit.record(session, "access_already_active", member.id, conv)
            return AccessResult(ALREADY_ACTIVE)
        if member.status == "locked":
            audit.record(session, "access_locked", member.id, conv)
            return AccessResult(LOCKED)
        audit.record(session, "access_matched", member.id, conv)
        return AccessResult(MATCHED, ctx.member_ref(member.id))


def _recent_access_failures(session, member_id: int) -> int:  # type: ignore[no-untyped-def]
    since = clock.now() - ACCESS_FAILURE_WINDOW
    return session.execute(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.member_id == member_id, AuditEvent.event == "access_mismatch", AuditEvent.at >= since
        )
    ).scalar_one()


def record_cgu_acceptance(
    ctx: Context, member_ref: str, version: str | None = None, conversation: str | None = None
) -> str:
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return INVALID_REF
    version = version or ctx.tenant.cgu.version
    with ctx.session() as session:
        if session.get(Member, member_id) is None:
            return INVALID_REF
        session.add(Consent(member_id=member_id, cgu_version=version, accepted_at=clock.now(), channel="chat"))
        audit.record(session, "cgu_accepted", member_id, ctx.conversation_ref(conversation), cgu_version=version)
    return RECORDED


def has_accepted_cgu(ctx: Context, member_id: int, version: str | None = None) -> bool:
    version = version or ctx.tenant.cgu.version
    with ctx.session() as session:
        return (
            session.execute(
                select(Consent.id).where(Consent.member_id == member_id, Consent.cgu_version == version)
            ).first()
            is not None
        )


def send_confirmation(ctx: Context, member_ref: str, email: str, conversation: str | None = None) -> ConfirmationResult:
    """Send (or send again) the confirmation e-mail; see the module docstring."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return ConfirmationResult(INVALID_REF)
    address = normalize_destination("email", email)
    if address is None:
        return ConfirmationResult(INVALID_EMAIL)
    conv = ctx.conversation_ref(conversation)
    now = clock.now()
    hours = ctx.tenant.activation_link_hours
    masked = mask_email(address)
    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.id == member_id).with_for_update()).scalar_one_or_none()
        if member is None:
            return ConfirmationResult(INVALID_REF)
        if member.status == "active":
            return ConfirmationResult(ALREADY_ACTIVE)
        if member.status == "locked":
            return ConfirmationResult(LOCKED)
        accepted = session.execute(
            select(Consent.id).where(Consent.member_id == member_id, Consent.cgu_version == ctx.tenant.cgu.version)
        ).first()
        if accepted is None:
            return ConfirmationResult(CGU_REQUIRED)
        sends = [
            r[0]
            for r in session.execute(
                select(SendLog.at)
                .where(SendLog.member_id == member_id, SendLog.at > now - SEND_WINDOW)
                .order_by(SendLog.at)
            ).all()
        ]
        if len(sends) >= ctx.tenant.otp.max_sends_per_hour:
            audit.record(session, "confirmation_rate_limited", member_id, conv)
            return ConfirmationResult(RATE_LIMITED, masked, retry_at=sends[0] + SEND_WINDOW)
        tokens.invalidate_tokens(session, member_id, tokens.SMIE_CONFIRM, now)
        issued = tokens.issue_token(
            session,
            ctx.settings.secret_key,
            member_id,
            tokens.SMIE_CONFIRM,
            hours,
            email=address,
            with_code=True,
            now=now,
        )
        assert issued.code is not None
        session.add(SendLog(member_id=member_id, purpose=tokens.SMIE_CONFIRM, at=now))
        subject, body = registration_confirmation_email(
            ctx.tenant,
            activation_link(ctx, issued.token),
            issued.code,
            hours,
            format_deadline(ctx.tenant, issued.expires_at, ctx.settings.timezone),
        )
        outbox_id = ctx.notifier.queue_email(session, address, subject, body, kind="registration_confirmation")
        audit.record(session, "confirmation_sent", member_id, conv, email_masked=masked, token_id=issued.token_id)
    delivery = ctx.notifier.deliver(outbox_id)
    outcome = SENT if delivery.delivered else QUEUED if delivery.queued else FAILED
    return ConfirmationResult(outcome, masked, issued.expires_at, delivery=delivery)


def confirm_with_code(ctx: Context, member_ref: str, code: str, conversation: str | None = None) -> CodeResult:
    """The activation code typed in the chat; see the module docstring."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return CodeResult(INVALID_REF)
    conv = ctx.conversation_ref(conversation)
    now = clock.now()
    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.id == member_id).with_for_update()).scalar_one_or_none()
        if member is None:
            return CodeResult(INVALID_REF)
        if member.status == "active":
            return CodeResult(ALREADY_ACTIVE)
        wrong = audit.count_since(session, "activation_code_wrong", member_id, now - timedelta(hours=1))
        if wrong >= MAX_WRONG_CODES_PER_HOUR:
            return CodeResult(TOO_MANY_ATTEMPTS, attempts_left=0)
        if tokens.latest_token(session, member_id, tokens.SMIE_CONFIRM) is None:
            return CodeResult(NO_TOKEN)
        found = tokens.lookup_code(session, ctx.settings.secret_key, member_id, code, tokens.SMIE_CONFIRM, now)
        if found.state == tokens.UNKNOWN:
            audit.record(session, "activation_code_wrong", member_id, conv)
            left = MAX_WRONG_CODES_PER_HOUR - wrong - 1
            return CodeResult(TOO_MANY_ATTEMPTS if left <= 0 else WRONG, attempts_left=left)
        if found.state == tokens.USED:
            return CodeResult(USED)
        if found.state == tokens.EXPIRED:
            return CodeResult(EXPIRED)
        session.execute(
            update(Member)
            .where(Member.id == member_id, Member.status.in_(("inactive", "pending")))
            .values(status="pending", email=found.email, version=Member.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            "email_confirmed",
            member_id,
            conv,
            token_id=found.token_id,
            email_masked=mask_email(found.email or ""),
        )
        return CodeResult(CONFIRMED, expires_at=found.expires_at)
