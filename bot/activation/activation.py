"""Completing a Miel-style activation after the one-time code was verified (guide step 5).

``complete_activation(ctx, member_ref, email=None, conversation=...)`` requires a
challenge of purpose ``activation`` verified (consumed) *in the same
conversation* less than ``VERIFIED_WINDOW`` ago, sent to the contact that is
still on file, and not already spent by an earlier completion (spending a
verified challenge sets its ``expires_at`` back to its ``consumed_at``: a
conditional UPDATE, no extra column).

The identifier and the link go to **the e-mail on file**. Only when the
record holds no e-mail, and the code went to the mobile on file (possession
of the mobile is proven), is the ``email`` typed by the member used: it is
added to the record, and the mobile on file gets a notice of the change
(:mod:`bot.activation.notices`). An e-mail on file is never replaced here.

Then, in one transaction: moves the member to ``pending`` with a conditional
UPDATE on ``status``/``version`` (of two concurrent completions exactly one
succeeds), expires older links (only now: a pending activation is not
cancelled by an attempt that has not proven possession), issues the
single-use ``set_password`` token (``tenant.activation_link_hours``, 48 h for
Miel), queues the guide's two e-mails (the identifier, and the link
``settings.public_url + "/activation/" + token``) and writes the audit
event; the e-mails are delivered after the commit.

Outcomes: ``completed`` | ``not_verified`` (no recent verified code of this
conversation for the contact on file: ask for a code again) |
``already_completed`` (this verified code was already used, e.g. a double
submit) | ``email_required`` (no e-mail on file and none given) |
``already_active`` | ``locked`` | ``invalid_email`` | ``invalid_ref``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import List

from sqlalchemy import select, update

from bot import clock, limits
from bot.activation import notices, tokens
from bot.activation.emails import identifier_email, set_password_email
from bot.activation.otp import (
    ACTIVATION,
    is_spent,
    normalize_destination,
    on_file_destination,
    read_secret,
    verified_challenge,
)
from bot.context import Context
from bot.deadlines import format_deadline
from bot.notify import DeliveryResult
from bot.security import mask_email, mask_phone
from bot.store import audit
from bot.store.models import Challenge, Member

COMPLETED = "completed"
NOT_VERIFIED = "not_verified"
ALREADY_COMPLETED = "already_completed"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"
INVALID_EMAIL = "invalid_email"
INVALID_REF = "invalid_ref"
EMAIL_REQUIRED = "email_required"

VERIFIED_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class CompletionResult:
    outcome: str
    email_masked: str | None = None
    mobile_masked: str | None = None
    link_expires_at: datetime | None = None
    deliveries: List[DeliveryResult] = field(default_factory=list)
    email_added: bool = False  # the typed e-mail was added to a record that had none

    @property
    def all_delivered(self) -> bool:
        return bool(self.deliveries) and all(d.delivered for d in self.deliveries)


def activation_link(ctx: Context, token: str) -> str:
    return f"{ctx.settings.public_url}/activation/{token}"


def complete_activation(
    ctx: Context,
    member_ref: str,
    email: str | None = None,
    conversation: str | None = None,
) -> CompletionResult:
    """Finish the activation; see the module docstring."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return CompletionResult(INVALID_REF)
    conv = ctx.conversation_ref(conversation)
    now = clock.now()
    hours = ctx.tenant.activation_link_hours
    notice_ids: list[int] = []

    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.id == member_id).with_for_update()).scalar_one_or_none()
        if member is None:
            return CompletionResult(INVALID_REF)
        if member.status == "active":
            return CompletionResult(ALREADY_ACTIVE)
        if member.status == "locked":
            return CompletionResult(LOCKED)
        challenge = verified_challenge(session, member_id, ACTIVATION, VERIFIED_WINDOW, now, conv)
        if challenge is None:
            audit.record(session, "activation_not_verified", member_id, conv)
            return CompletionResult(NOT_VERIFIED)
        _secret, proven = read_secret(ctx.settings.secret_key, challenge)
        channel, on_file = on_file_destination(ctx, member)
        if not proven or channel != challenge.channel or proven != on_file:
            audit.record(session, "activation_not_verified", member_id, conv, reason="contact_changed")
            return CompletionResult(NOT_VERIFIED)
        email_added = False
        if member.email:
            address = normalize_destination("email", member.email)
        else:
            if not email:
                return CompletionResult(EMAIL_REQUIRED)
            address = normalize_destination("email", email)
            email_added = True
        if address is None:
            return CompletionResult(INVALID_EMAIL)
        masked_mobile = mask_phone(member.mobile) if member.mobile else None
        if is_spent(challenge):
            return CompletionResult(ALREADY_COMPLETED, mask_email(address), masked_mobile)
        # one verified code, one completion: spending it pulls its expiry back
        # to its consumption time (conditional, so only one completion wins)
        spent = session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id, Challenge.expires_at > Challenge.consumed_at)
            .values(expires_at=Challenge.consumed_at)
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount != 1:
            return CompletionResult(ALREADY_COMPLETED, mask_email(address), masked_mobile)
        moved = session.execute(
            update(Member)
            .where(Member.id == member_id, Member.version == member.version, Member.status.in_(("inactive", "pending")))
            .values(status="pending", email=address, version=Member.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            session.rollback()
            return CompletionResult(ALREADY_COMPLETED, mask_email(address), masked_mobile)
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
        if email_added:
            session.refresh(member)
            notice_ids = notices.queue_notices(
                ctx,
                session,
                member,
                notices.CONTACT_CHANGED,
                change=notices.describe_change(None, address, member.mobile, member.mobile),
                added=[address],
                now=now,
            )
            audit.record(session, "contact_added", member_id, conv, email_masked=mask_email(address))
        audit.record(
            session,
            "activation_completed",
            member_id,
            conv,
            email_masked=mask_email(address),
            factor=challenge.channel,
            token_id=issued.token_id,
        )

    deliveries = [ctx.notifier.deliver(i) for i in ids]
    notices.deliver(ctx, notice_ids)
    return CompletionResult(
        COMPLETED, mask_email(address), masked_mobile, issued.expires_at, deliveries, email_added=email_added
    )


def contact_not_theirs(ctx: Context, member_ref: str, conversation: str | None = None) -> bool:
    """The person says the contact on file is not theirs: record it and tell the member.

    Nothing is sent to anything typed; the contacts on file get the
    ``attempt_stopped`` notice, at most once per member and window.  Returns
    whether a notice was queued.
    """
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return False
    conv = ctx.conversation_ref(conversation)
    ids: list[int] = []
    with ctx.session() as session:
        member = session.get(Member, member_id)
        if member is None:
            return False
        audit.record(session, "contact_not_theirs", member_id, conv)
        once = limits.limit("attempt_notice_member", ctx.settings.limits)
        if limits.hit(session, ctx.settings.secret_key, once, f"member:{member_id}").allowed:
            ids = notices.queue_notices(ctx, session, member, notices.ATTEMPT_STOPPED)
    notices.deliver(ctx, ids)
    return bool(ids)
