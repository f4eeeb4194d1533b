"""Race-proof counters and single-use markers for codes and links.

Each helper is one conditional ``UPDATE`` whose ``WHERE`` clause carries the
rule (attempts left, not consumed, not expired), so concurrent requests
cannot use a one-time code more than ``max_attempts`` times or a link twice:
the database decides, not a Python check made before the write.  The
``ck_challenges_attempts`` constraint backs the counter up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.clock import now as clock_now
from bot.store.models import ActivationToken, Challenge

_challenges = Challenge.__table__
_tokens = ActivationToken.__table__


def use_challenge_attempt(session: Session, challenge_id: int, at: datetime | None = None) -> int | None:
    """Count one attempt at a code; returns the attempts used so far, or None.

    None means the attempt is refused: the challenge is consumed, expired,
    out of attempts or unknown.  Call it *before* comparing the typed code.
    """
    at = at or clock_now()
    result = session.execute(
        update(_challenges)
        .where(
            _challenges.c.id == challenge_id,
            _challenges.c.consumed_at.is_(None),
            _challenges.c.expires_at > at,
            _challenges.c.attempts_used < _challenges.c.max_attempts,
        )
        .values(attempts_used=_challenges.c.attempts_used + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    # our UPDATE holds the row (PostgreSQL row lock, SQLite write lock) until commit
    used = session.execute(select(_challenges.c.attempts_used).where(_challenges.c.id == challenge_id))
    return int(used.scalar_one())


def consume_challenge(session: Session, challenge_id: int, at: datetime | None = None) -> bool:
    """Mark a challenge used; True for exactly one caller, and only before expiry."""
    at = at or clock_now()
    result = session.execute(
        update(_challenges)
        .where(
            _challenges.c.id == challenge_id,
            _challenges.c.consumed_at.is_(None),
            _challenges.c.expires_at > at,
        )
        .values(consumed_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def consume_activation_token(session: Session, token_id: int, at: datetime | None = None) -> bool:
    """Mark an activation link used; True for exactly one caller, and only before expiry."""
    at = at or clock_now()
    result = session.execute(
        update(_tokens)
        .where(_tokens.c.id == token_id, _tokens.c.used_at.is_(None), _tokens.c.expires_at > at)
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
