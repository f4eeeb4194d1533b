"""The SMIE-style registration service (adherent number + access code, CGU, e-mail), framework-free.

The guide's steps, as services:

1. :func:`check_access` -> ``matched`` (with ``member_ref``) | ``no_match`` |
   ``already_active`` | ``locked``.  The access code is compared by keyed
   hash (``keyed_hash(secret, "access_code", code.strip().upper())``).
   ``no_match`` is the one answer for an unknown number, a wrong code *and*
   every refusal by a limit (below): nobody learns from it whether an
   adherent number exists.  ``already_active`` and ``locked`` are only told
   to whoever typed the right code (they proved they hold the letter).
2. :func:`record_cgu_acceptance` stores the acceptance with its version and
   time (``consents``) -> ``recorded`` | ``invalid_ref``.
3. :func:`check_contact` compares the address the member typed with the
   e-mail on file -> ``contact_match`` | ``contact_mismatch`` (with the
   address on file, masked) | ``no_contact_on_file`` | ``invalid_ref``.
4. :func:`send_confirmation` sends the guide's e-mail « Espace <name> -
   Demande de confirmation d'inscription »: a « Je valide mon inscription »
   link (``settings.public_url + "/activation/" + token``, valid
   ``tenant.activation_link_hours`` = 24 h, single use) to the password page,
   and a 13-digit activation code as the alternative.  Outcomes: ``sent`` |
   ``queued`` (SMTP trouble: it will be retried) | ``failed`` |
   ``cgu_required`` | ``rate_limited`` | ``invalid_email`` |
   ``email_not_on_file`` | ``already_active`` | ``locked`` | ``invalid_ref``.
5. :func:`confirm_with_code` is for the code typed in the chat.  Decision: the
   code proves the member received the e-mail, so it *confirms the e-mail
   address* (the member becomes ``pending`` with that address) but does not
   consume the link: the password is never asked in the chat, so the member
   still sets it on the page opened by the same link (which stays valid until
   its deadline).  If the link itself is broken, the member asks for a new
   e-mail (:func:`send_confirmation` again).  Outcomes: ``confirmed`` (with the
   link's ``expires_at``) | ``wrong`` | ``expired`` | ``used`` | ``no_token`` |
   ``too_many_attempts`` (5 wrong codes per hour) | ``already_active`` |
   ``invalid_ref``.

Limits on access codes (issue 12), shared by every replica (:mod:`bot.limits`),
checked in this order, each refusal answered ``no_match`` without comparing
the code:

- per client (``client_attempts``: the caller's ``client``, see
  ``actions.common.client_key``): every check counts, refused over the limit;
- global (``access_failures_global``): every wrong code counts; over the
  limit every check is refused for the window and a warning is logged;
- per adherent number (:data:`MAX_ACCESS_FAILURES_PER_HOUR` wrong codes per
  :data:`ACCESS_FAILURE_WINDOW`, counted for unknown numbers too so both
  behave alike): beyond, even the right code is refused.  When a wrong code
  reaches that limit on a member whose account is not active yet, the
  ``locked`` security notice goes to the contacts on file
  (:mod:`bot.activation.notices`), once per window.  The store status is not
  changed: a lock anyone could trigger by typing wrong codes would lock real
  members out; the pause ends by itself.

Contacts on file: when the record holds an e-mail address, the confirmation
goes to that address only (a different typed address gets
``email_not_on_file`` and nothing is sent); otherwise the typed address is
used (the access code mailed on paper proves possession) and stored only
when the member confirms it, the mobile on file being told
(``contact_changed`` notice).  An e-mail on file is never replaced from the
chat.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot import clock, limits
from bot.activation import notices, tokens
from bot.activation.activation import activation_link
from bot.activation.otp import SEND_WINDOW, normalize_destination
from bot.context import Context
from bot.deadlines import format_deadline
from bot.notify import DeliveryResult
from bot.registration.emails import registration_confirmation_email
from bot.security import constant_time_equal, keyed_hash, mask_email
from bot.settings import LimitSettings
from bot.store import audit
from bot.store.models import Consent, Member, SendLog

log = logging.getLogger("bot.registration")

MATCHED = "matched"
NO_MATCH = "no_match"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"
INVALID_REF = "invalid_ref"
# wrong access codes accepted per adherent number and hour, across all
# conversations and clients (a conversation only allows 3): beyond, even the
# right code is refused for the hour, so short codes cannot be guessed by
# starting over
# the defaults of ASSISTANT_LIMIT_ACCESS_FAILURES_PER_NUMBER (bot.limits)
MAX_ACCESS_FAILURES_PER_HOUR = LimitSettings().access_failures_per_number
ACCESS_FAILURE_WINDOW = timedelta(hours=1)
GLOBAL_WARNING_EVERY = 60.0  # seconds between two warnings of the global refusal (per process)
RECORDED = "recorded"
SENT = "sent"
QUEUED = "queued"
FAILED = "failed"
CGU_REQUIRED = "cgu_required"
RATE_LIMITED = "rate_limited"
INVALID_EMAIL = "invalid_email"
EMAIL_NOT_ON_FILE = "email_not_on_file"
CONTACT_MATCH = "contact_match"
CONTACT_MISMATCH = "contact_mismatch"
NO_CONTACT_ON_FILE = "no_contact_on_file"
CONFIRMED = "confirmed"
WRONG = "wrong"
EXPIRED = "expired"
USED = "used"
NO_TOKEN = "no_token"  # noqa: S105 - an outcome name
TOO_MANY_ATTEMPTS = "too_many_attempts"

MAX_WRONG_CODES_PER_HOUR = 5

# audit events of the access check (never shown to a member)
THROTTLED_BY = {
    "client": "access_client_limited",
    "global": "access_global_limited",
    "number": "access_throttled",
}
LOCK_NOTICE_EVENT = "access_lock_notice"

_last_global_warning = [0.0]


@dataclass(frozen=True)
class AccessResult:
    outcome: str
    member_ref: str | None = None
    # security notices queued by this check, still to deliver when the check
    # was asked not to deliver them itself (``deliver_notices=False``)
    notice_ids: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class ContactCheck:
    outcome: str
    email_masked: str | None = None  # the address on file, masked


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


def same_address(a: str | None, b: str | None) -> bool:
    """Two e-mail addresses are the same one, case ignored (``Paul@Ex.com`` = ``paul@ex.com``)."""
    if not a or not b:
        return False
    return a.strip().casefold() == b.strip().casefold()


def _warn_global(count: int, lim: limits.Limit) -> None:
    """Log the global refusal, at most once a minute per process (not once per attempt)."""
    now = time.monotonic()
    if now - _last_global_warning[0] >= GLOBAL_WARNING_EVERY:
        _last_global_warning[0] = now
        log.warning(
            "access-code checks refused for every adherent number: %d wrong access codes in the last %s "
            "(ASSISTANT_LIMIT_ACCESS_FAILURES_PER_HOUR=%d): someone may be guessing codes",
            count,
            lim.window,
            lim.max_count,
        )


def check_access(
    ctx: Context,
    adherent_number: str,
    access_code: str,
    email: str | None = None,
    conversation: str | None = None,
    *,
    client: str | None = None,
    deliver_notices: bool = True,
) -> AccessResult:
    """Check the two values « indiqués dans le courrier »; see the module docstring.

    ``email`` is not used for matching (see :func:`check_contact`).
    ``conversation`` is the Rasa sender id (stored hashed in the audit log);
    ``client`` who is talking (``actions.common.client_key``), for the
    per-client limit (the conversation when not given).  With
    ``deliver_notices=False`` the security notices this check queued are
    returned in ``notice_ids`` for the caller to deliver (off the reply's
    path, so a slow mail server does not tell that the number exists).
    """
    conv = ctx.conversation_ref(conversation)
    secret = ctx.settings.secret_key
    # under every key accepted for reading, newest first (key rotation)
    typed = (access_code or "").strip().upper()
    wanted_hashes = [keyed_hash(key, "access_code", typed) for key in ctx.settings.secret_keys]
    number = normalize_adherent_number(adherent_number)
    notice_ids: list[int] = []
    with ctx.session() as session:
        per_client = limits.limit("client_attempts", ctx.settings.limits)
        if not limits.hit(session, secret, per_client, client or f"sender:{conversation}").allowed:
            audit.record(session, THROTTLED_BY["client"], None, conv)
            return AccessResult(NO_MATCH)
        everyone = limits.limit("access_failures_global", ctx.settings.limits)
        overall = limits.peek(session, secret, everyone, limits.GLOBAL)
        if not overall.allowed:
            audit.record(session, THROTTLED_BY["global"], None, conv)
            _warn_global(overall.count, everyone)
            return AccessResult(NO_MATCH)
        member = session.execute(select(Member).where(Member.adherent_number == number)).scalar_one_or_none()
        if member is None and number != (adherent_number or "").strip():
            member = session.execute(
                select(Member).where(Member.adherent_number == (adherent_number or "").strip())
            ).scalar_one_or_none()
        # unknown numbers are counted too: a throttled number looks like any other
        number_key = f"member:{member.id}" if member is not None else f"number:{number}"
        per_number = limits.limit("access_failures_number", ctx.settings.limits)
        if not limits.peek(session, secret, per_number, number_key).allowed:
            audit.record(session, THROTTLED_BY["number"], member.id if member else None, conv)
            return AccessResult(NO_MATCH)
        stored = member.access_code_hash if member is not None else None
        matched = bool(stored) and any(constant_time_equal(stored or "", wanted) for wanted in wanted_hashes)
        if member is not None and matched and stored != wanted_hashes[0]:
            member.access_code_hash = wanted_hashes[0]  # hashed under an older key: re-hashed under the newest
        if member is None or not matched:
            audit.record(session, "access_mismatch", member.id if member else None, conv)
            limits.hit(session, secret, everyone, limits.GLOBAL)
            tally = limits.hit(session, secret, per_number, number_key)
            if member is not None and tally.count >= per_number.max_count:
                notice_ids = _lock_notice(ctx, session, member, conv)
            result = AccessResult(NO_MATCH)
        elif member.status == "active":
            audit.record(session, "access_already_active", member.id, conv)
            result = AccessResult(ALREADY_ACTIVE)
        elif member.status == "locked":
            audit.record(session, "access_locked", member.id, conv)
            # the right code: support is told who the member is (the ticket's verified facts)
            result = AccessResult(LOCKED, ctx.member_ref(member.id))
        else:
            audit.record(session, "access_matched", member.id, conv)
            result = AccessResult(MATCHED, ctx.member_ref(member.id))
    if notice_ids and deliver_notices:
        notices.deliver(ctx, notice_ids)
        notice_ids = []
    return AccessResult(result.outcome, result.member_ref, tuple(notice_ids))


def _lock_notice(ctx: Context, session, member: Member, conv: str | None) -> list[int]:
    """The per-number throttle just tripped: tell the member through the contacts on file, once per window.

    Not for an active account (nothing to activate; the member logs in as
    usual) nor a locked one (the lock was already told).
    """
    if member.status not in ("inactive", "pending"):
        return []
    # two wrong codes tripping the limit at once (in two buckets of the counter):
    # the member row serialises them, so only the first one tells the member.
    # FOR NO KEY UPDATE (key_share): it does not wait for the key-share locks the
    # other checks' audit rows take on the member (a plain FOR UPDATE deadlocks)
    session.execute(select(Member.id).where(Member.id == member.id).with_for_update(key_share=True))
    now = clock.now()
    if audit.count_since(session, LOCK_NOTICE_EVENT, member.id, now - ACCESS_FAILURE_WINDOW):
        return []
    ids = notices.queue_notices(ctx, session, member, notices.LOCKED, now=now)
    audit.record(session, LOCK_NOTICE_EVENT, member.id, conv, notices=len(ids))
    return ids


def check_contact(ctx: Context, member_ref: str, email: str | None) -> ContactCheck:
    """Compare the address the member typed with the e-mail on file (case ignored).

    ``contact_mismatch`` carries the address on file, masked: the
    confirmation can only go there (ask the member whether it is still theirs).
    """
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return ContactCheck(INVALID_REF)
    with ctx.session() as session:
        on_file = session.execute(select(Member.email).where(Member.id == member_id)).first()
    if on_file is None:
        return ContactCheck(INVALID_REF)
    if not on_file[0]:
        return ContactCheck(NO_CONTACT_ON_FILE)
    masked = mask_email(on_file[0])
    return ContactCheck(CONTACT_MATCH if same_address(email, on_file[0]) else CONTACT_MISMATCH, masked)


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


def send_confirmation(
    ctx: Context, member_ref: str, email: str | None, conversation: str | None = None
) -> ConfirmationResult:
    """Send (or send again) the confirmation e-mail; see the module docstring.

    ``email`` is the address the member typed, or None for « the address on
    file » (the member said it is still theirs).  When the record holds an
    e-mail, the message goes there only: a different ``email`` gets
    ``email_not_on_file`` (with the address on file, masked) and nothing is
    sent.  Without an e-mail on file, ``email`` is used.
    """
    member_id = ctx.member_id(member_ref)
    if member_id is None:
        return ConfirmationResult(INVALID_REF)
    typed = None
    if email is not None:
        typed = normalize_destination("email", email)
        if typed is None:
            return ConfirmationResult(INVALID_EMAIL)
    conv = ctx.conversation_ref(conversation)
    now = clock.now()
    hours = ctx.tenant.activation_link_hours
    with ctx.session() as session:
        member = session.execute(select(Member).where(Member.id == member_id).with_for_update()).scalar_one_or_none()
        if member is None:
            return ConfirmationResult(INVALID_REF)
        if member.status == "active":
            return ConfirmationResult(ALREADY_ACTIVE)
        if member.status == "locked":
            return ConfirmationResult(LOCKED)
        if member.email:
            if typed is not None and not same_address(typed, member.email):
                audit.record(session, "confirmation_not_on_file", member_id, conv)
                return ConfirmationResult(EMAIL_NOT_ON_FILE, mask_email(member.email))
            address = member.email
        elif typed is None:
            return ConfirmationResult(INVALID_EMAIL)
        else:
            address = typed
        masked = mask_email(address)
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
        if member.email and not same_address(found.email, member.email):
            # sent before the record got another address: it no longer proves anything
            return CodeResult(EXPIRED)
        notice_ids: list[int] = []
        values: dict = {"status": "pending", "version": Member.version + 1, "updated_at": now}
        if not member.email and found.email and member.status in ("inactive", "pending"):
            # the first address on file, proven by the code: tell the mobile on file
            values["email"] = found.email
            notice_ids = notices.queue_notices(
                ctx,
                session,
                member,
                notices.CONTACT_CHANGED,
                change=notices.describe_change(None, found.email, None, None),
                added=[found.email],
                now=now,
            )
        session.execute(
            update(Member)
            .where(Member.id == member_id, Member.status.in_(("inactive", "pending")))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            "email_confirmed",
            member_id,
            conv,
            token_id=found.token_id,
            email_masked=mask_email(found.email or ""),
            added_on_file=bool(values.get("email")),
        )
        result = CodeResult(CONFIRMED, expires_at=found.expires_at)
    if notice_ids:
        notices.deliver(ctx, notice_ids)
    return result
