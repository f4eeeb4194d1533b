"""Matching the identity given in conversation against the member store (Miel flow).

``match_member`` takes the five values of the guide's step 1 (NIR, birth
date, birth department, last name, first name) and answers:

- ``matched``: all five match one member, whose account can be activated
  (status ``inactive``, or ``pending`` when a member starts again); the
  result carries an opaque ``member_ref`` (see :mod:`bot.activation.context`);
- ``no_match``: unknown NIR *or* any field different; never which one;
- ``already_active``: the member already has a password: log in, or use
  « mot de passe oublié »;
- ``locked``: the account is locked; hand off to support.

Names are compared without case, accents, hyphens, apostrophes or spaces:
``bot.identity.same_person_name(a, b)`` when the identity module provides it,
else the local fallback :func:`same_name`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Union

from sqlalchemy import select

from bot.activation import audit
from bot.activation.context import Context
from bot.identity import InvalidNir, parse_nir
from bot.security import constant_time_equal, keyed_hash
from bot.store.models import Member

MATCHED = "matched"
NO_MATCH = "no_match"
ALREADY_ACTIVE = "already_active"
LOCKED = "locked"

_SPECIAL = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def normalize_name(value: str) -> str:
    """``"Marie-Hélène D'Arc"`` -> ``"mariehelenedarc"``."""
    text = unicodedata.normalize("NFKD", (value or "").translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def same_name(a: str, b: str) -> bool:
    """Local fallback: equal once case, accents and punctuation are ignored."""
    left, right = normalize_name(a), normalize_name(b)
    return bool(left) and left == right


def _name_comparator() -> Callable[[str, str], bool]:
    try:
        from bot.identity import same_person_name  # type: ignore[attr-defined]
    except ImportError:
        return same_name
    return same_person_name  # type: ignore[no-any-return]


def normalize_department(value: str) -> str:
    """``"1"`` -> ``"01"``, ``"2a"`` -> ``"2A"``; overseas ``"971"`` kept."""
    text = (value or "").strip().upper()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


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
    outcome: str  # MATCHED | NO_MATCH | ALREADY_ACTIVE | LOCKED
    member_ref: str | None = None  # only when MATCHED


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
) -> MatchResult:
    """Match the five identity values; see the module docstring for outcomes.

    ``nir`` is the 15-character normalized NIR (``bot.identity.parse_nir``),
    or give its ``nir_hash`` (``keyed_hash(secret, "nir", nir)``) instead.
    ``conversation`` is the Rasa sender id (stored hashed in the audit log).
    """
    if nir_hash is None:
        if not nir:
            raise ValueError("match_member needs nir or nir_hash")
        normalized = normalize_nir(nir)
        # not a valid NIR: no member can have it (the answer of an unknown NIR)
        nir_hash = keyed_hash(ctx.settings.secret_key, "nir", normalized) if normalized else None
    wanted_date = _as_date(birth_date)
    wanted_dept = normalize_department(birth_department)
    same = _name_comparator()
    conv = ctx.conversation_ref(conversation)

    with ctx.session() as session:
        candidates = (
            session.execute(select(Member).where(Member.nir_hash == nir_hash)).scalars().all() if nir_hash else []
        )
        found: Member | None = None
        for member in candidates:
            if not constant_time_equal(member.nir_hash, nir_hash):
                continue
            if (
                wanted_date is not None
                and member.birth_date == wanted_date
                and normalize_department(member.birth_department) == wanted_dept
                and same(member.last_name, last_name)
                and same(member.first_name, first_name)
            ):
                found = member
                break
        if found is None:
            # the member id is kept when the NIR exists, so repeated attempts
            # on one member show up in the audit trail (never in a reply)
            near = candidates[0].id if candidates else None
            audit.record(session, "identity_mismatch", near, conv, known_nir=bool(candidates))
            return MatchResult(NO_MATCH)
        if found.status == "active":
            audit.record(session, "identity_already_active", found.id, conv)
            return MatchResult(ALREADY_ACTIVE)
        if found.status == "locked":
            audit.record(session, "identity_locked", found.id, conv)
            return MatchResult(LOCKED)
        audit.record(session, "identity_matched", found.id, conv, status=found.status)
        return MatchResult(MATCHED, member_ref=ctx.member_ref(found.id))
