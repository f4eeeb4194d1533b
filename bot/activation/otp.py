"""One-time codes sent by SMS (or e-mail), checked in conversation.

Each challenge has its own random base32 secret (pyotp); the code is
``HOTP(secret).at(counter)``.  The secret, together with the destination the
code was sent to, is stored Fernet-encrypted in ``challenges.secret_encrypted``
(a JSON object ``{"secret", "destination"}``): the code itself is never
stored, logged or returned, and :func:`bot.activation.activation.complete_activation`
can check that the contact which received the code is still the one on file.

- :func:`start_challenge` sends a code **only to a contact already on file**:
  the member's mobile when the record holds one in a country the tenant
  allows (``tenant.sms_countries``), else the e-mail on file. Nothing typed in
  a conversation is ever a destination (NIST SP 800-63B §5.1.3: the
  out-of-band device must already be bound to the subscriber). Outcomes:
  ``sent`` | ``rate_limited`` (``tenant.otp.max_sends_per_hour`` per member)
  | ``number_limited`` (``ASSISTANT_LIMIT_SMS_PER_NUMBER`` per number and window) | ``sms_unavailable``
  (the deployment's hourly SMS budget is spent: members are told to call) |
  ``no_contact`` (nothing on file to send to) | ``send_failed`` |
  ``already_active`` | ``locked`` | ``invalid_ref``.  A new send kills the
  live challenges *of the same conversation* only: another conversation
  (perhaps someone else's) cannot cancel a member's pending code.
- :func:`verify_code` -> ``ok`` | ``wrong`` (with ``attempts_left``; 0 means
  the challenge is now dead) | ``expired`` | ``exhausted`` | ``consumed`` |
  ``no_challenge`` | ``invalid_format`` (not the right number of digits: not
  counted as an attempt) | ``invalid_ref``.  Only the challenges asked for
  by *this* conversation are considered, and a consumed challenge is never
  success again (``consumed``).  Each attempt is reserved with a conditional
  UPDATE (``attempts_used < max_attempts AND consumed_at IS NULL``), so
  concurrent guesses cannot exceed the limit, and a right code consumes the
  challenge with ``UPDATE ... WHERE consumed_at IS NULL``.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.activation import sms_gate
from bot.activation.emails import otp_email, otp_sms
from bot.context import Context
from bot.notify import DeliveryResult
from bot.security import decrypt, encrypt, mask_email, mask_phone
from bot.store import audit
from bot.store.models import Challenge, Member, SendLog

SENT = "sent"
RATE_LIMITED = "rate_limited"
SEND_FAILED = "send_failed"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"
INVALID_REF = "invalid_ref"
SMS_UNAVAILABLE = "sms_unavailable"
NUMBER_LIMITED = "number_limited"
NO_CONTACT = "no_contact"

OK = "ok"
WRONG = "wrong"
EXPIRED = "expired"
EXHAUSTED = "exhausted"
CONSUMED = "consumed"
NO_CHALLENGE = "no_challenge"
INVALID_FORMAT = "invalid_format"

ACTIVATION = "activation"
SEND_WINDOW = timedelta(hours=1)

_E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ChallengeStart:
    outcome: str
    destination_masked: str | None = None
    expires_at: datetime | None = None
    lifetime_minutes: int | None = None
    sends_left: int | None = None  # in the current hour, after this send
    retry_at: datetime | None = None  # when RATE_LIMITED: first moment a send is allowed
    delivery: DeliveryResult | None = None
    channel: str | None = None  # "sms" | "email": where the code went (SENT)


@dataclass(frozen=True)
class VerifyResult:
    outcome: str
    attempts_left: int | None = None


def _secret_blob(secret: str, destination: str) -> str:
    return json.dumps({"secret": secret, "destination": destination})


def read_secret(secret_key: str, challenge: Challenge) -> tuple[str, str | None]:
    """(base32 secret, destination) of a challenge."""
    raw = decrypt(secret_key, challenge.secret_encrypted)
    if raw.startswith("{"):
        data = json.loads(raw)
        return data["secret"], data.get("destination")
    return raw, None


def normalize_destination(channel: str, destination: str) -> str | None:
    value = (destination or "").strip()
    if channel == "sms":
        value = re.sub(r"[\s.\-()]", "", value)
        return value if _E164_RE.match(value) else None
    if channel == "email":
        return value if _EMAIL_RE.match(value) and len(value) <= 254 else None
    return None


def _sends_in_window(session: Session, member_id: int, now: datetime) -> list[datetime]:
    rows = session.execute(
        select(SendLog.at).where(SendLog.member_id == member_id, SendLog.at > now - SEND_WINDOW).order_by(SendLog.at)
    ).all()
    return [r[0] for r in rows]


def start_challenge(
    ctx: Context,
    member_ref: str,
    purpose: str = ACTIVATION,
    conversation: str | None = None,
) -> ChallengeStart:
    """Create a challenge and send its code to the contact on file; see the module docstring."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return ChallengeStart(INVALID_REF)
    otp_conf = ctx.tenant.otp
    conv = ctx.conversation_ref(conversation)
    now = clock.now()

    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.id == member_id).with_for_update()).scalar_one_or_none()
        if member is None:
            return ChallengeStart(INVALID_REF)
        if member.status == "active":
            return ChallengeStart(ALREADY_ACTIVE)
        if member.status == "locked":
            return ChallengeStart(LOCKED)
        channel, target = on_file_destination(ctx, member)
        if channel is None or target is None:
            audit.record(session, "otp_no_contact", member_id, conv, purpose=purpose)
            return ChallengeStart(NO_CONTACT)
        masked = mask_phone(target) if channel == "sms" else mask_email(target)
        sends = _sends_in_window(session, member_id, now)
        if len(sends) >= otp_conf.max_sends_per_hour:
            audit.record(session, "otp_rate_limited", member_id, conv, purpose=purpose)
            return ChallengeStart(RATE_LIMITED, masked, retry_at=sends[0] + SEND_WINDOW, sends_left=0)
        if channel == "sms":
            admitted, retry_at = sms_gate.admit_sms(session, ctx.settings, ctx.tenant, target, now)
            if admitted == sms_gate.NUMBER_LIMITED:
                audit.record(session, "otp_number_limited", member_id, conv, purpose=purpose)
                return ChallengeStart(NUMBER_LIMITED, masked, retry_at=retry_at, sends_left=0)
            if admitted != sms_gate.ALLOWED:
                audit.record(session, "otp_sms_unavailable", member_id, conv, purpose=purpose, reason=admitted)
                return ChallengeStart(SMS_UNAVAILABLE, masked, retry_at=retry_at)
        # a new code replaces the live ones this conversation asked for
        session.execute(
            update(Challenge)
            .where(
                Challenge.member_id == member_id,
                Challenge.purpose == purpose,
                Challenge.conversation == conv,
                Challenge.consumed_at.is_(None),
                Challenge.expires_at > now,
            )
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
        secret = pyotp.random_base32()
        counter = secrets.randbelow(2**31)
        code = pyotp.HOTP(secret, digits=otp_conf.length).at(counter)
        expires_at = now + timedelta(minutes=otp_conf.lifetime_minutes)
        challenge = Challenge(
            member_id=member_id,
            channel=channel,
            purpose=purpose,
            secret_encrypted=encrypt(ctx.settings.secret_key, _secret_blob(secret, target)),
            counter=counter,
            destination_masked=masked[:64],
            expires_at=expires_at,
            attempts_used=0,
            max_attempts=otp_conf.max_attempts,
            created_at=now,
            conversation=conv,
        )
        session.add(challenge)
        log_row = SendLog(member_id=member_id, purpose=purpose, at=now)
        session.add(log_row)
        if channel == "sms":
            outbox_id = ctx.notifier.queue_sms(
                session, target, otp_sms(ctx.tenant, code, otp_conf.lifetime_minutes), kind=f"{purpose}_code"
            )
        else:
            subject, body = otp_email(ctx.tenant, code, otp_conf.lifetime_minutes)
            outbox_id = ctx.notifier.queue_email(session, target, subject, body, kind=f"{purpose}_code")
        del code
        session.flush()
        challenge_id, log_id = challenge.id, log_row.id
        audit.record(
            session,
            "otp_sent",
            member_id,
            conv,
            purpose=purpose,
            channel=channel,
            destination_masked=masked,
            challenge_id=challenge_id,
        )
        sends_left = otp_conf.max_sends_per_hour - len(sends) - 1

    delivery = ctx.notifier.deliver(outbox_id)
    if delivery.delivered or (delivery.queued and channel == "email"):
        return ChallengeStart(
            SENT, masked, expires_at, otp_conf.lifetime_minutes, sends_left, delivery=delivery, channel=channel
        )
    # the code never left: kill the challenge and give the send back
    with ctx.session() as session:
        session.execute(
            update(Challenge)
            .where(Challenge.id == challenge_id)
            .values(expires_at=now)
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(SendLog).where(SendLog.id == log_id).execution_options(synchronize_session=False))
        audit.record(
            session, "otp_send_failed", member_id, conv, purpose=purpose, channel=channel, error=delivery.error or ""
        )
    return ChallengeStart(SEND_FAILED, masked, sends_left=sends_left + 1, delivery=delivery)


def on_file_destination(ctx: Context, member: Member) -> tuple[str | None, str | None]:
    """(channel, destination) of a code for ``member``: the mobile on file in an allowed
    country, else the e-mail on file, else (None, None)."""
    if member.mobile and sms_gate.country_allowed(ctx.tenant, member.mobile):
        target = normalize_destination("sms", member.mobile)
        if target:
            return "sms", target
    if member.email:
        target = normalize_destination("email", member.email)
        if target:
            return "email", target
    return None, None


def _latest(session: Session, member_id: int, purpose: str, conv: str | None) -> Challenge | None:
    return session.execute(
        select(Challenge)
        .where(Challenge.member_id == member_id, Challenge.purpose == purpose, Challenge.conversation == conv)
        .order_by(Challenge.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _dead_state(challenge: Challenge, now: datetime) -> str | None:
    if challenge.consumed_at is not None:
        return CONSUMED
    if challenge.attempts_used >= challenge.max_attempts:
        return EXHAUSTED
    if challenge.expires_at <= now:
        return EXPIRED
    return None


def verify_code(
    ctx: Context,
    member_ref: str,
    code: str,
    purpose: str = ACTIVATION,
    conversation: str | None = None,
) -> VerifyResult:
    """Check a code typed by the member; see the module docstring for outcomes."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return VerifyResult(INVALID_REF)
    typed = re.sub(r"[\s.\-]", "", code or "")
    conv = ctx.conversation_ref(conversation)
    now = clock.now()
    with ctx.session() as session:
        challenge = _latest(session, member_id, purpose, conv)
        if challenge is None:
            return VerifyResult(NO_CHALLENGE)
        dead = _dead_state(challenge, now)
        if dead is not None:
            return VerifyResult(dead, 0 if dead == EXHAUSTED else None)
        if not (typed.isdigit() and len(typed) == ctx.tenant.otp.length):
            return VerifyResult(INVALID_FORMAT, challenge.max_attempts - challenge.attempts_used)
        reserved = session.execute(
            update(Challenge)
            .where(
                Challenge.id == challenge.id,
                Challenge.attempts_used < Challenge.max_attempts,
                Challenge.consumed_at.is_(None),
                Challenge.expires_at > now,
            )
            .values(attempts_used=Challenge.attempts_used + 1)
            .execution_options(synchronize_session=False)
        )
        if reserved.rowcount != 1:
            session.expire(challenge)
            return VerifyResult(_dead_state(challenge, now) or EXHAUSTED, 0)
        used = session.execute(select(Challenge.attempts_used).where(Challenge.id == challenge.id)).scalar_one()
        left = challenge.max_attempts - used
        secret, _destination = read_secret(ctx.settings.secret_key, challenge)
        hotp = pyotp.HOTP(secret, digits=ctx.tenant.otp.length)
        if not hotp.verify(typed, challenge.counter):
            audit.record(
                session, "otp_wrong", member_id, conv, purpose=purpose, attempts_left=left, challenge_id=challenge.id
            )
            if left == 0:
                audit.record(session, "otp_exhausted", member_id, conv, purpose=purpose, challenge_id=challenge.id)
            return VerifyResult(WRONG, left)
        consumed = session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id, Challenge.consumed_at.is_(None))
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )
        if consumed.rowcount != 1:
            return VerifyResult(CONSUMED)
        audit.record(session, "otp_verified", member_id, conv, purpose=purpose, challenge_id=challenge.id)
        return VerifyResult(OK, left)


def verified_challenge(
    session: Session, member_id: int, purpose: str, within: timedelta, now: datetime, conv: str | None
) -> Challenge | None:
    """The most recent challenge of this conversation, verified (consumed) within ``within``."""
    challenge = _latest(session, member_id, purpose, conv)
    if challenge is None or challenge.consumed_at is None or now - challenge.consumed_at > within:
        return None
    return challenge


def is_spent(challenge: Challenge) -> bool:
    """A verified challenge already used by a completion (expiry pulled back to consumption)."""
    return challenge.consumed_at is not None and challenge.expires_at <= challenge.consumed_at


def sends_used(session: Session, member_id: int, now: datetime | None = None) -> int:
    now = now or clock.now()
    return int(
        session.execute(
            select(func.count(SendLog.id)).where(SendLog.member_id == member_id, SendLog.at > now - SEND_WINDOW)
        ).scalar_one()
    )


def _contacts_on_file(ctx: Context, member_ref: str) -> tuple[str | None, str | None] | None:
    """(mobile, e-mail) on file for a member reference; None when it names no member."""
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return None
    with ctx.session() as session:
        member = session.get(Member, member_id)
        return None if member is None else (member.mobile, member.email)


def typed_contact_on_file(ctx: Context, member_ref: str, mobile: str | None = None, email: str | None = None) -> bool:
    """Whether a mobile or e-mail typed in the chat is the one the member has on file.

    A match lets the member go on (the code still goes to the contact on
    file); a mismatch sends nothing anywhere.  ``mobile`` is E.164.
    """
    contacts = _contacts_on_file(ctx, member_ref)
    if contacts is None:
        return False
    on_file_mobile, on_file_email = contacts
    if mobile:
        on_file = normalize_destination("sms", on_file_mobile or "")
        return bool(on_file) and normalize_destination("sms", mobile) == on_file
    if email and on_file_email:
        return on_file_email.strip().casefold() == email.strip().casefold()
    return False


def on_file_summary(ctx: Context, member_ref: str) -> tuple[str, str] | None:
    """(channel, masked destination) a code for this member would go to; None when there is none."""
    contacts = _contacts_on_file(ctx, member_ref)
    if contacts is None:
        return None
    channel, target = on_file_destination(ctx, Member(mobile=contacts[0], email=contacts[1]))
    if channel is None or target is None:
        return None
    return channel, mask_phone(target) if channel == "sms" else mask_email(target)
