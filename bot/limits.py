"""Abuse limits shared by every conversation, process and replica.

A limit counts events (an identity mismatch, an SMS sent, a support ticket…)
per *key* (a member id, a client, a phone number, or ``*`` for the whole
deployment) over a sliding window, in the member store's ``rate_counters``
table, so two Rasa replicas behind a load balancer see the same counts.  The
key is stored as a keyed hash: no phone number or IP address is kept.

Counting uses fixed buckets (a twelfth of the window): one
``INSERT … ON CONFLICT DO UPDATE SET count = count + n`` per hit, then the
sum of the buckets still inside the window, in the caller's transaction.  On
PostgreSQL the upsert takes the bucket's row lock until commit, so two
concurrent hits are serialised and both see each other; SQLite serialises
writers with ``BEGIN IMMEDIATE`` (``bot.store.db``).

- :func:`hit` counts and decides (``allowed`` is False once the count is over
  the maximum: the event that went over is refused);
- :func:`peek` decides without counting (for limits that count failures
  only: look first, count the failure afterwards);
- :func:`clear` forgets a key (an operator unlocking a member).

:data:`LIMITS` names every limit; each takes its maximum and window from
``settings.limits`` (``ASSISTANT_LIMIT_*``, see docs/security.md).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Dict

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot import clock
from bot.security import keyed_hash
from bot.settings import LimitSettings
from bot.store.models import RateCounter

log = logging.getLogger("bot.limits")

GLOBAL = "*"
_BUCKETS = 12
_PURGE_ONE_IN = 500  # one hit in this many also deletes buckets older than every window


@dataclass(frozen=True)
class Limit:
    """``max_count`` events per key within ``window``."""

    name: str
    max_count: int
    window: timedelta

    @property
    def bucket(self) -> timedelta:
        return max(self.window / _BUCKETS, timedelta(seconds=1))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int  # events counted in the window, this one included when counted
    limit: Limit
    retry_at: datetime | None = None  # when refused: first moment the count is under the maximum again


# every limit of the product, built from the settings
LIMITS: Dict[str, Callable[[LimitSettings], Limit]] = {
    "identity_mismatch_member": lambda s: Limit(
        "identity_mismatch_member", s.identity_mismatches, timedelta(hours=s.identity_window_hours)
    ),
    # at most one "attempt stopped" notice per member and window (no SMS flood by repeated attempts)
    "attempt_notice_member": lambda s: Limit("attempt_notice_member", 1, timedelta(hours=s.identity_window_hours)),
    "client_attempts": lambda s: Limit(
        "client_attempts", s.client_attempts, timedelta(minutes=s.client_window_minutes)
    ),
    "sms_number": lambda s: Limit("sms_number", s.sms_per_number, timedelta(hours=s.sms_number_window_hours)),
    "sms_global": lambda s: Limit("sms_global", s.sms_per_hour, timedelta(hours=1)),
    "access_failures_global": lambda s: Limit("access_failures_global", s.access_failures_per_hour, timedelta(hours=1)),
    "access_failures_number": lambda s: Limit(
        "access_failures_number", s.access_failures_per_number, timedelta(hours=1)
    ),
    "tickets_client": lambda s: Limit("tickets_client", s.tickets_per_client, timedelta(days=1)),
    "tickets_conversation": lambda s: Limit("tickets_conversation", s.tickets_per_conversation, timedelta(days=30)),
    # wrong tokens of the report page (bot/security/admin_login.py)
    "admin_login_client": lambda s: Limit("admin_login_client", s.admin_login_failures, timedelta(hours=1)),
    "admin_login_global": lambda s: Limit("admin_login_global", s.admin_login_failures_global, timedelta(hours=1)),
}


def limit(name: str, settings: LimitSettings) -> Limit:
    """The limit called ``name`` with the configured maximum and window."""
    return LIMITS[name](settings)


def _key_hash(secret_key: str, lim: Limit, key: str) -> str:
    return keyed_hash(secret_key, f"limit:{lim.name}", key)


def _bucket_start(lim: Limit, at: datetime) -> datetime:
    seconds = int(lim.bucket.total_seconds())
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=timezone.utc)


def _upsert(session: Session, values: dict, amount: int):
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateCounter.__table__).values(**values, count=amount)
    return statement.on_conflict_do_update(
        index_elements=["scope", "key_hash", "bucket_start"],
        set_={"count": RateCounter.__table__.c.count + amount},
    )


def _decide(session: Session, lim: Limit, key_hash: str, now: datetime, counted: bool) -> Decision:
    table = RateCounter.__table__
    oldest = _bucket_start(lim, now - lim.window) + lim.bucket  # first bucket wholly inside the window
    rows = session.execute(
        select(table.c.bucket_start, table.c.count)
        .where(table.c.scope == lim.name, table.c.key_hash == key_hash, table.c.bucket_start >= oldest)
        .order_by(table.c.bucket_start)
    ).all()
    total = sum(int(count) for _start, count in rows)
    over = total > lim.max_count if counted else total >= lim.max_count
    if not over:
        return Decision(True, total, lim)
    # allowed again once enough of the oldest events have left the window:
    # one more event must fit under the maximum
    excess = total - lim.max_count + 1
    retry_at = now + lim.window
    running = 0
    for start, count in rows:
        running += int(count)
        if running >= excess:
            start = start if start.tzinfo else start.replace(tzinfo=timezone.utc)
            retry_at = start + lim.window
            break
    return Decision(False, total, lim, retry_at)


def hit(
    session: Session, secret_key: str, lim: Limit, key: str, amount: int = 1, now: datetime | None = None
) -> Decision:
    """Count ``amount`` events for ``key`` and decide whether this one is within the limit."""
    now = now or clock.now()
    key_hash = _key_hash(secret_key, lim, key)
    values = {"scope": lim.name, "key_hash": key_hash, "bucket_start": _bucket_start(lim, now)}
    session.execute(_upsert(session, values, amount))
    if secrets.randbelow(_PURGE_ONE_IN) == 0:  # the table keeps itself small, no cron needed
        purge_expired(session, now)
    decision = _decide(session, lim, key_hash, now, counted=True)
    if not decision.allowed:
        log.warning("limit %s reached (%d in %s)", lim.name, decision.count, lim.window)
    return decision


def peek(session: Session, secret_key: str, lim: Limit, key: str, now: datetime | None = None) -> Decision:
    """Whether one more event for ``key`` would be within the limit, without counting it."""
    now = now or clock.now()
    return _decide(session, lim, _key_hash(secret_key, lim, key), now, counted=False)


def clear(session: Session, secret_key: str, lim: Limit, key: str) -> int:
    """Forget every count of ``key`` (an operator unlocking); returns the rows removed."""
    table = RateCounter.__table__
    result = session.execute(
        delete(table).where(table.c.scope == lim.name, table.c.key_hash == _key_hash(secret_key, lim, key))
    )
    return int(result.rowcount or 0)


def purge_expired(session: Session, now: datetime | None = None, keep: timedelta = timedelta(days=31)) -> int:
    """Delete buckets older than every window (``keep``); returns the rows removed."""
    now = now or clock.now()
    table = RateCounter.__table__
    result = session.execute(delete(table).where(table.c.bucket_start < now - keep))
    return int(result.rowcount or 0)


def count_rows(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(RateCounter.__table__)).scalar_one())


__all__ = ["GLOBAL", "LIMITS", "Decision", "Limit", "clear", "hit", "limit", "peek", "purge_expired"]
