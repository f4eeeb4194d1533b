"""Single-use link tokens (and the SMIE-style 13-digit activation code).

A token is 32 random bytes, URL-safe; only its keyed hash is stored
(``activation_tokens.token_hash``), as is the optional activation code
(``code_hash``).  Functions here work inside the caller's session:

- :func:`issue_token` creates one (``purpose`` ``set_password`` for the Miel
  flow, ``smie_confirm`` for the SMIE flow) and returns the clear values once;
- :func:`lookup_token` says ``valid``, ``expired``, ``used`` or ``unknown``
  (a forged or malformed token is ``unknown``);
- :func:`consume_token` marks it used with a conditional UPDATE, so of two
  concurrent uses only one wins;
- :func:`invalidate_tokens` expires the live tokens of a member (a new link
  replaces the old ones).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.security import keyed_hash, new_token, reading_keys
from bot.store.models import ActivationToken

SET_PASSWORD = "set_password"  # noqa: S105 - a token purpose
SMIE_CONFIRM = "smie_confirm"

VALID = "valid"
EXPIRED = "expired"
USED = "used"
UNKNOWN = "unknown"

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,128}$")
_CODE_RE = re.compile(r"^\d{13}$")


def token_hash(secret_key: str, token: str) -> str:
    return keyed_hash(secret_key, "link_token", token)


def code_hash(secret_key: str, code: str) -> str:
    return keyed_hash(secret_key, "activation_code", code)


def new_activation_code() -> str:
    """13 random digits, never starting with 0 (like the guide's example)."""
    return str(10**12 + secrets.randbelow(9 * 10**12))


def normalize_code(code: str) -> str | None:
    """The 13 digits of a typed activation code (spaces/dots ignored), or None."""
    digits = re.sub(r"[\s.\-]", "", code or "")
    return digits if _CODE_RE.match(digits) else None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    code: str | None
    token_id: int
    expires_at: datetime


@dataclass(frozen=True)
class TokenLookup:
    state: str  # VALID | EXPIRED | USED | UNKNOWN
    token_id: int | None = None
    member_id: int | None = None
    purpose: str | None = None
    email: str | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None


def issue_token(
    session: Session,
    secret_key: str,
    member_id: int,
    purpose: str,
    hours: int,
    email: str | None = None,
    with_code: bool = False,
    now: datetime | None = None,
) -> IssuedToken:
    now = now or clock.now()
    token = new_token(32)
    code = new_activation_code() if with_code else None
    row = ActivationToken(
        member_id=member_id,
        token_hash=token_hash(secret_key, token),
        code_hash=code_hash(secret_key, code) if code else None,
        purpose=purpose,
        email=email,
        expires_at=now + timedelta(hours=hours),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return IssuedToken(token=token, code=code, token_id=int(row.id), expires_at=row.expires_at)


def _state(row: ActivationToken, now: datetime) -> str:
    if row.used_at is not None:
        return USED
    if row.expires_at <= now:
        return EXPIRED
    return VALID


def _lookup(row: ActivationToken | None, now: datetime) -> TokenLookup:
    if row is None:
        return TokenLookup(UNKNOWN)
    return TokenLookup(
        state=_state(row, now),
        token_id=int(row.id),
        member_id=int(row.member_id),
        purpose=row.purpose,
        email=row.email,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


def lookup_token(session: Session, secret_key: str, token: str | None, now: datetime | None = None) -> TokenLookup:
    if not token or not _TOKEN_RE.match(token):
        return TokenLookup(UNKNOWN)
    row = session.execute(
        select(ActivationToken).where(
            ActivationToken.token_hash.in_([token_hash(key, token) for key in reading_keys(secret_key)])
        )
    ).scalar_one_or_none()
    return _lookup(row, now or clock.now())


def lookup_code(
    session: Session, secret_key: str, member_id: int, code: str, purpose: str, now: datetime | None = None
) -> TokenLookup:
    """The member's token carrying this activation code (``unknown`` if none)."""
    digits = normalize_code(code)
    if digits is None:
        return TokenLookup(UNKNOWN)
    row = session.execute(
        select(ActivationToken)
        .where(
            ActivationToken.member_id == member_id,
            ActivationToken.purpose == purpose,
            ActivationToken.code_hash.in_([code_hash(key, digits) for key in reading_keys(secret_key)]),
        )
        .order_by(ActivationToken.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return _lookup(row, now or clock.now())


def latest_token(session: Session, member_id: int, purpose: str) -> ActivationToken | None:
    return session.execute(
        select(ActivationToken)
        .where(ActivationToken.member_id == member_id, ActivationToken.purpose == purpose)
        .order_by(ActivationToken.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def consume_token(session: Session, token_id: int, now: datetime | None = None) -> bool:
    """Mark the token used; False when it was already used or has expired."""
    now = now or clock.now()
    result = session.execute(
        update(ActivationToken)
        .where(ActivationToken.id == token_id, ActivationToken.used_at.is_(None), ActivationToken.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def invalidate_tokens(
    session: Session,
    member_id: int,
    purpose: str | None = None,
    now: datetime | None = None,
    except_id: int | None = None,
) -> int:
    """Expire the member's live tokens (of ``purpose`` if given); returns how many."""
    now = now or clock.now()
    conditions = [
        ActivationToken.member_id == member_id,
        ActivationToken.used_at.is_(None),
        ActivationToken.expires_at > now,
    ]
    if purpose is not None:
        conditions.append(ActivationToken.purpose == purpose)
    if except_id is not None:
        conditions.append(ActivationToken.id != except_id)
    result = session.execute(
        update(ActivationToken).where(*conditions).values(expires_at=now).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
