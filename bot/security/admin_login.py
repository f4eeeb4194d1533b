"""Throttling of the report page's token checks (``/admin/login`` and ``Bearer``).

A wrong admin token counts against two limits of :mod:`bot.limits` (kept in
the member store, so every replica sees them): per client (the keyed hash of
the IP address, as for conversations) and for the whole deployment. Once
either is reached, every token check is refused, the right token included,
until the window has moved on: a script cannot try tokens faster than
``ASSISTANT_LIMIT_ADMIN_LOGIN_FAILURES`` per client and hour, nor than
``ASSISTANT_LIMIT_ADMIN_LOGIN_FAILURES_GLOBAL`` in all (OWASP ASVS 2.2.1).
Only failures count; a correct token does not reset the counts (a success
would otherwise let a script interleave one known-good try per batch).
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.engine import Engine

from bot import clock
from bot.limits import GLOBAL, hit, limit, peek
from bot.settings import Settings
from bot.store.db import get_engine, session_scope

CLIENT_LIMIT = "admin_login_client"
GLOBAL_LIMIT = "admin_login_global"


def _engine(settings: Settings, engine: Engine | None) -> Engine:
    return engine or get_engine(settings.database_url)


def refused_until(
    settings: Settings, client: str, engine: Engine | None = None, now: datetime | None = None
) -> datetime | None:
    """When token checks from ``client`` are allowed again, or None if they are now."""
    now = now or clock.now()
    latest: datetime | None = None
    with session_scope(_engine(settings, engine)) as session:
        for name, key in ((CLIENT_LIMIT, client), (GLOBAL_LIMIT, GLOBAL)):
            decision = peek(session, settings.secret_key, limit(name, settings.limits), key, now)
            if not decision.allowed and decision.retry_at is not None:
                latest = decision.retry_at if latest is None else max(latest, decision.retry_at)
    return latest


def count_failure(settings: Settings, client: str, engine: Engine | None = None, now: datetime | None = None) -> None:
    """Count a wrong token from ``client`` against both limits."""
    now = now or clock.now()
    with session_scope(_engine(settings, engine)) as session:
        for name, key in ((CLIENT_LIMIT, client), (GLOBAL_LIMIT, GLOBAL)):
            hit(session, settings.secret_key, limit(name, settings.limits), key, now=now)


def minutes_until(moment: datetime, now: datetime | None = None) -> int:
    """Whole minutes from ``now`` to ``moment`` (at least 1), for « réessayez dans N minutes »."""
    seconds = (moment - (now or clock.now())).total_seconds()
    return max(1, math.ceil(seconds / 60))


__all__ = ["CLIENT_LIMIT", "GLOBAL_LIMIT", "count_failure", "minutes_until", "refused_until"]
