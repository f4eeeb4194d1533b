"""Matching the identity given in conversation against the member store (Miel flow).

``match_member`` takes the five values of the guide's step 1 (NIR, birth
date, birth department, last name, first name) and answers:

- ``matched``: all five match one member, whose account can be activated
  (status ``inactive``, or ``pending`` when a member starts again); the
  result carries an opaque ``member_ref`` (see :mod:`bot.context`);
- ``no_match``: unknown NIR *or* any field different; never which one;
- ``already_active``: the member already has a password: log in, or use
  « mot de passe oublié »;
- ``locked``: the account is locked; hand off to support (the result
  carries the ``member_ref``, so that the ticket names the verified member);
- ``client_limited``: this client (IP address, Telegram chat) made too many
  identity checks in the window (``ASSISTANT_LIMIT_CLIENT_*``): nothing was
  checked.

Limits shared by every conversation and replica (:mod:`bot.limits`): each
check counts for the client; each mismatch on a *known* NIR counts for that
member, and when ``ASSISTANT_LIMIT_IDENTITY_MISMATCHES`` are reached within
the window a member whose account is not yet active is locked, and the
member is told through the contacts on file (:mod:`bot.activation.notices`).
The reply stays ``no_match``: nobody learns that the NIR exists.

A match carries what the member has on file, masked (``mobile_masked``,
``email_masked``) and the channel the one-time code will use (``factor``:
``sms`` for a mobile on file in an allowed country, else ``email`` for an
e-mail on file, else None: no online activation possible).

Birth departments are compared by code (:func:`same_department`): "1" and
"01" are the same, and so are 20 and 2A/2B for a birth in Corsica before
1976 (the member file may hold either, the member may say either).
Names are compared without case, accents, hyphens, apostrophes or spaces
(:func:`bot.identity.same_person_name`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Union

from sqlalchemy import select, update

from bot import clock, limits
from bot.activation import notices, otp
from bot.context import Context
from bot.identity import InvalidNir, parse_nir, same_person_name
from bot.identity.departments import same_birth_department
from bot.security import constant_time_equal, keyed_hash, mask_email, mask_phone
from bot.store import audit
from bot.store.models import Member

MATCHED = "matched"
NO_MATCH = "no_match"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"
CLIENT_LIMITED = "client_limited"


def normalize_department(value: str) -> str:
    """``"1"`` -> ``"01"``, ``"2a"`` -> ``"2A"``; overseas ``"971"`` kept."""
    text = (value or "").strip().upper()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def same_department(stored: str, given: str, birth_date: date) -> bool:
    """The member file's birth department and the one given agree (20 ⇔ 2A/2B before 1976)."""
    return same_birth_department(normalize_department(stored), normalize_department(given), birth_date.year)


def normalize_nir(value: str) -> str | None:
    """The 15-character form of :func:`bot.identity.parse_nir`; None when ``value`` is not a valid NIR."""
    try:
        return parse_nir(value).normalized
    except InvalidNir:
        return None


def _as_date(value: Union[date, str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class MatchResult:
    outcome: str  # MATCHED | NO_MATCH | ALREADY_ACTIVE | LOCKED | CLIENT_LIMITED
    member_ref: str | None = None  # MATCHED, or LOCKED (for the hand-off ticket only)
    factor: str | None = None  # "sms" | "email" | None (nothing on file to send a code to)
    mobile_masked: str | None = None  # on file
    email_masked: str | None = None  # on file
    retry_at: datetime | None = None  # CLIENT_LIMITED: when checks are possible again


def code_factor(ctx: Context, member: Member) -> str | None:
    """Where a one-time code for ``member`` can go: the mobile on file, else the e-mail on file."""
    return otp.on_file_destination(ctx, member)[0]


def _lock_after_mismatches(ctx: Context, session, member: Member, conv: str | None) -> list[int]:
    """Count a mismatch on a known member; lock (and tell them) when the limit is reached."""
    lim = limits.limit("identity_mismatch_member", ctx.settings.limits)
    decision = limits.hit(session, ctx.settings.secret_key, lim, f"member:{member.id}")
    # only an account not yet in activation is locked: an active one is the member space's
    # business, and a pending one holds a link the member may be about to open
    if decision.count < lim.max_count or member.status != "inactive":
        return []
    now = clock.now()
    session.execute(
        update(Member)
        .where(Member.id == member.id, Member.status == "inactive")
        .values(status="locked", locked_at=now, version=Member.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(session, "identity_locked_by_mismatches", member.id, conv, mismatches=decision.count)
    return notices.queue_notices(ctx, session, member, notices.LOCKED, now=now)


def nir_hashes(secret_keys: tuple[str, ...], normalized: str) -> str:
    """``keyed_hash(key, "nir", normalized)`` under every key, newest first, comma-separated
    (one hash without rotation): what the activation form keeps in its ``nir_hash`` slot."""
    return ",".join(keyed_hash(key, "nir", normalized) for key in secret_keys)


def _same_names(member: Member, last_name: str, first_name: str, either_order: bool) -> bool:
    if same_person_name(member.last_name, last_name) and same_person_name(member.first_name, first_name):
        return True
    return (
        either_order
        and same_person_name(member.last_name, first_name)
        and same_person_name(member.first_name, last_name)
    )


def match_member(
    ctx: Context,
    *,
    birth_date: Union[date, str],
    birth_department: str,
    last_name: str,
    first_name: str,
    nir: str | None = None,
    nir_hash: str | None = None,
    conversation: str | None = None,
    client: str | None = None,
    names_either_order: bool = False,
) -> MatchResult:
    """Match the five identity values; see the module docstring for outcomes.

    ``nir`` is the 15-character normalized NIR (``bot.identity.parse_nir``),
    or give its ``nir_hash`` (:func:`nir_hashes`: the keyed hashes under every key
    accepted for reading, newest first, comma-separated) instead.  A member
    found under an older key's hash is re-hashed under the newest.
    ``conversation`` is the Rasa sender id (stored hashed in the audit log);
    ``client`` who is talking (``actions.common.client_key``), for the
    per-client limit (the conversation when not given).
    ``names_either_order``: the member gave a full name whose order was
    guessed ("Santoni Antoine"): the names match either way round, in one
    check (one attempt counted, the same answer whatever the order).
    """
    if nir_hash is None:
        if not nir:
            raise ValueError("match_member needs nir or nir_hash")
        normalized = normalize_nir(nir)
        # not a valid NIR: no member can have it (the answer of an unknown NIR)
        nir_hash = nir_hashes(ctx.settings.secret_keys, normalized) if normalized else None
    # the hashes under every key accepted for reading, newest first (key rotation)
    wanted_hashes = [h for h in (nir_hash or "").split(",") if h]
    wanted_date = _as_date(birth_date)
    wanted_dept = normalize_department(birth_department)
    conv = ctx.conversation_ref(conversation)

    notice_ids: list[int] = []
    with ctx.session() as session:
        per_client = limits.limit("client_attempts", ctx.settings.limits)
        decision = limits.hit(session, ctx.settings.secret_key, per_client, client or f"sender:{conversation}")
        if not decision.allowed:
            audit.record(session, "identity_client_limited", None, conv)
            return MatchResult(CLIENT_LIMITED, retry_at=decision.retry_at)
        candidates = (
            session.execute(select(Member).where(Member.nir_hash.in_(wanted_hashes))).scalars().all()
            if wanted_hashes
            else []
        )
        found: Member | None = None
        for member in candidates:
            if not any(constant_time_equal(member.nir_hash, wanted) for wanted in wanted_hashes):
                continue
            if (
                wanted_date is not None
                and member.birth_date == wanted_date
                and same_department(member.birth_department, wanted_dept, wanted_date)
                and _same_names(member, last_name, first_name, names_either_order)
            ):
                found = member
                break
        if found is not None and found.nir_hash != wanted_hashes[0]:
            found.nir_hash = wanted_hashes[0]  # hashed under an older key: re-hashed under the newest
        if found is None:
            # the member id is kept when the NIR exists, so repeated attempts
            # on one member show up in the audit trail (never in a reply)
            # a NIR may be shared (a member and a dependant): every holder counts the mismatch
            near = sorted(candidates, key=lambda m: m.id)
            audit.record(session, "identity_mismatch", near[0].id if near else None, conv, known_nir=bool(near))
            for holder in near:
                notice_ids += _lock_after_mismatches(ctx, session, holder, conv)
            result = MatchResult(NO_MATCH)
        elif found.status == "active":
            audit.record(session, "identity_already_active", found.id, conv)
            result = MatchResult(ALREADY_ACTIVE)
        elif found.status == "locked":
            audit.record(session, "identity_locked", found.id, conv)
            # the identity matched: support is told who the member is (the ticket's verified facts)
            result = MatchResult(LOCKED, member_ref=ctx.member_ref(found.id))
        else:
            audit.record(session, "identity_matched", found.id, conv, status=found.status)
            result = MatchResult(
                MATCHED,
                member_ref=ctx.member_ref(found.id),
                factor=code_factor(ctx, found),
                mobile_masked=mask_phone(found.mobile) if found.mobile else None,
                email_masked=mask_email(found.email) if found.email else None,
            )
    if notice_ids:
        notices.deliver(ctx, notice_ids)
    return result
