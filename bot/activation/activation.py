"""Completing a Miel-style activation after the SMS code was verified (guide step 5).

``complete_activation(ctx, member_ref, email, mobile)`` requires a challenge
of purpose ``activation`` verified (consumed) less than ``VERIFIED_WINDOW``
ago, sent to ``mobile``, and not already spent by an earlier completion
(spending a verified challenge sets its ``expires_at`` back to its
``consumed_at``: a conditional UPDATE, no extra column).  It
then, in one transaction: moves the member to ``pending`` with a conditional
UPDATE on ``status``/``version`` (of two concurrent completions exactly one
succeeds), stores the e-mail and mobile, expires older links, issues the
single-use ``set_password`` token (``tenant.activation_link_hours``, 48 h for
Miel), queues the guide's two e-mails (the identifier, and the link
``settings.public_url + "/activation/" + token``) and writes the audit
event; the e-mails are delivered after the commit.

Outcomes: ``completed`` | ``not_verified`` (no recent verified code for this
mobile: ask for a code again) | ``already_completed`` (this verified code was
already used, e.g. a double submit) | ``already_active`` | ``locked`` |
``invalid_email`` | ``invalid_ref``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import List

from sqlalchemy import select, update

from bot import clock
from bot.activation import audit, tokens
from bot.activation.context import Context
from bot.activation.emails import format_deadline, identifier_email, set_password_email
from bot.activation.otp import ACTIVATION, is_spent, normalize_destination, read_secret, verified_challenge
from bot.notify import DeliveryResult
from bot.security import mask_email, mask_phone
from bot.store.models import Challenge, Member

COMPLETED = "completed"
NOT_VERIFIED = "not_verified"
ALREADY_COMPLETED = "already_completed"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"
INVALID_EMAIL = "invalid_email"
INVALID_REF = "invalid_ref"

VERIFIED_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class CompletionResult:
    outcome: str
    email_masked: str | None = None
    mobile_masked: str | None = None
    link_expires_at: datetime | None = None
    deliveries: List[DeliveryResult] = field(default_factory=list)

    @property
    def all_delivered(self) -> bool:
        return bool(self.deliveries) and all(d.delivered for d in self.deliveries)


def activation_link(ctx: Context, token: str) -> str:
    return f"{ctx.settings.public_url}/activation/{token}"


def complete_activation(
    ctx: Context,
    member_ref: str,
    email: str,
    mobile: str | None = None,
    conversation: str | None = None,
) -> CompletionResult:
    """Finish the activation; see the module docstring.  ``mobile`` defaults to the verified one."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return CompletionResult(INVALID_REF)
    address = normalize_destination("email", email)
    if address is None:
        return CompletionResult(INVALID_EMAIL)
    conv = ctx.conversation_ref(conversation)
    now = clock.now()
    hours = ctx.tenant.activation_link_hours

    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.id == member_id).with_for_update()).scalar_one_or_none()
        if member is None:
            return CompletionResult(INVALID_REF)
        if member.status == "active":
            return CompletionResult(ALREADY_ACTIVE)
        if member.status == "locked":
            return CompletionResult(LOCKED)
        challenge = verified_challenge(session, member_id, ACTIVATION, VERIFIED_WINDOW, now)
        if challenge is None or challenge.channel != "sms":
            audit.record(session, "activation_not_verified", member_id, conv)
            return CompletionResult(NOT_VERIFIED)
        if is_spent(challenge):
            return CompletionResult(ALREADY_COMPLETED, mask_email(address))
        _secret, verified_mobile = read_secret(ctx.settings.secret_key, challenge)
        wanted = normalize_destination("sms", mobile) if mobile else verified_mobile
        if not verified_mobile or wanted != verified_mobile:
            audit.record(session, "activation_not_verified", member_id, conv, reason="mobile_differs")
            return CompletionResult(NOT_VERIFIED)
        # one verified code, one completion: spending it pulls its expiry back
        # to its consumption time (conditional, so only one completion wins)
        spent = session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id, Challenge.expires_at > Challenge.consumed_at)
            .values(expires_at=Challenge.consumed_at)
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount != 1:
            return CompletionResult(ALREADY_COMPLETED, mask_email(address), mask_phone(verified_mobile))
        moved = session.execute(
            update(Member)
            .where(Member.id == member_id, Member.version == member.version, Member.status.in_(("inactive", "pending")))
            .values(status="pending", email=address, mobile=verified_mobile, version=Member.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            session.rollback()
            return CompletionResult(ALREADY_COMPLETED, mask_email(address), mask_phone(verified_mobile))
        tokens.invalidate_tokens(session, member_id, tokens.SET_PASSWORD, now)
        issued = tokens.issue_token(session, ctx.settings.secret_key, member_id, tokens.SET_PASSWORD, hours, now=now)
        subject1, body1 = identifier_email(ctx.tenant, member.adherent_number)
        subject2, body2 = set_password_email(
            ctx.tenant,
            activation_link(ctx, issued.token),
            hours,
            format_deadline(ctx.tenant, issued.expires_at, ctx.settings.timezone),
        )
        ids = [
            ctx.notifier.queue_email(session, address, subject1, body1, kind="identifier"),
            ctx.notifier.queue_email(session, address, subject2, body2, kind="set_password_link"),
        ]
        audit.record(
            session,
            "activation_completed",
            member_id,
            conv,
            email_masked=mask_email(address),
            mobile_masked=mask_phone(verified_mobile),
            token_id=issued.token_id,
        )

    deliveries = [ctx.notifier.deliver(i) for i in ids]
    return CompletionResult(COMPLETED, mask_email(address), mask_phone(verified_mobile), issued.expires_at, deliveries)
