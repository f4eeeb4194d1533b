"""Shared abuse limits (bot.limits): counting, the sliding window, retry times,
keys, clearing, purging, and concurrent hits on one key, on SQLite and on
PostgreSQL (the ``engine`` fixture of tests/unit/conftest.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import limits
from bot.settings import LimitSettings, load_settings
from bot.store.db import session_scope
from bot.store.models import RateCounter

SECRET = "limits-test-secret-key-0123456789"
HOUR = limits.Limit("test_hour", 3, timedelta(hours=1))  # buckets of 5 minutes


def _hit(engine, lim=HOUR, key="k", **kw):
    with session_scope(engine) as session:
        return limits.hit(session, SECRET, lim, key, **kw)


def _peek(engine, lim=HOUR, key="k", **kw):
    with session_scope(engine) as session:
        return limits.peek(session, SECRET, lim, key, **kw)


@pytest.mark.parametrize("max_count", [1, 3, 7])
def test_hit_admits_the_maximum_then_refuses(engine, max_count):
    lim = limits.Limit("test_max", max_count, timedelta(hours=1))
    decisions = [_hit(engine, lim) for _ in range(max_count + 2)]
    assert [d.allowed for d in decisions] == [True] * max_count + [False, False]
    assert [d.count for d in decisions] == list(range(1, max_count + 3))  # refused hits are counted too
    assert all(d.retry_at is None for d in decisions[:max_count])
    assert all(d.retry_at is not None for d in decisions[max_count:])
    assert all(d.limit == lim for d in decisions)


def test_amount_counts_several_events_at_once(engine):
    assert _hit(engine, amount=3).allowed
    refused = _hit(engine, amount=1)
    assert (refused.allowed, refused.count) == (False, 4)


def test_peek_decides_without_counting(engine):
    for expected_count in (0, 1, 2):
        decision = _peek(engine)
        assert (decision.allowed, decision.count, decision.retry_at) == (True, expected_count, None)
        assert _peek(engine).count == expected_count  # twice: still nothing counted
        _hit(engine)
    full = _peek(engine)
    assert (full.allowed, full.count) == (False, 3) and full.retry_at is not None
    assert _peek(engine).count == 3


@pytest.mark.parametrize(
    "timeline, checks",
    [
        # (minutes after start, hits) then (minutes after start, count seen by peek, allowed)
        ([(0, 3)], [(59, 3, False), (60, 0, True)]),
        ([(0, 2), (30, 1)], [(45, 3, False), (60, 1, True), (89, 1, True), (90, 0, True)]),
        ([(0, 1), (20, 1), (40, 1)], [(50, 3, False), (60, 2, True), (80, 1, True), (100, 0, True)]),
        ([(0, 1), (61, 1), (122, 1)], [(122, 1, True)]),  # one an hour never fills the window
    ],
    ids=["burst", "burst-then-one", "spread", "one-an-hour"],
)
def test_the_window_slides(engine, clock, timeline, checks):
    start = clock.now
    for minutes, hits in timeline:
        clock.set(start + timedelta(minutes=minutes))
        for _ in range(hits):
            _hit(engine)
    for minutes, count, allowed in checks:
        clock.set(start + timedelta(minutes=minutes))
        decision = _peek(engine)
        assert (decision.count, decision.allowed) == (count, allowed), minutes


def test_an_event_leaves_the_window_at_most_one_bucket_early(engine, clock):
    """Counts are kept in buckets of a twelfth of the window: an event counts for
    between window - bucket and window."""
    start = clock.now  # on a bucket boundary
    clock.advance(minutes=4, seconds=59)  # last second of the first bucket
    for _ in range(3):
        _hit(engine)
    clock.set(start + timedelta(minutes=59, seconds=59))
    assert not _peek(engine).allowed
    clock.set(start + timedelta(minutes=60))  # 55 min 1 s after the hits: the bucket is gone
    assert _peek(engine).allowed


def test_peek_retry_at_is_never_early_and_at_most_one_bucket_late(engine, clock):
    start = clock.now
    for minutes in (0, 10, 20):
        clock.set(start + timedelta(minutes=minutes))
        _hit(engine)
    clock.set(start + timedelta(minutes=30))
    refused = _peek(engine)
    assert not refused.allowed
    assert refused.retry_at > clock.now
    clock.set(refused.retry_at - HOUR.bucket - timedelta(seconds=1))
    assert not _peek(engine).allowed
    clock.set(refused.retry_at)
    assert _peek(engine).allowed


def test_hit_retry_at_is_a_moment_when_the_key_is_allowed_again(engine, clock):
    start = clock.now
    for minutes in (0, 10):
        clock.set(start + timedelta(minutes=minutes))
        _hit(engine, lim=limits.Limit("test_two", 2, timedelta(hours=1)))
    clock.set(start + timedelta(minutes=20))
    refused = _hit(engine, lim=limits.Limit("test_two", 2, timedelta(hours=1)))
    assert not refused.allowed
    clock.set(refused.retry_at)
    assert _peek(engine, lim=limits.Limit("test_two", 2, timedelta(hours=1))).allowed


def test_keys_and_limits_are_independent(engine):
    other = limits.Limit("test_other", 3, timedelta(hours=1))
    for _ in range(4):
        _hit(engine, key="+33612345678")
    assert not _peek(engine, key="+33612345678").allowed
    assert (_peek(engine, key="+33612345679").allowed, _peek(engine, key="+33612345679").count) == (True, 0)
    assert _peek(engine, lim=other, key="+33612345678").count == 0  # same key, another limit


def test_keys_are_stored_as_keyed_hashes(engine):
    _hit(engine, key="+33612345678")
    _hit(engine, key="203.0.113.7")
    with session_scope(engine) as session:
        rows = session.execute(select(RateCounter.scope, RateCounter.key_hash)).all()
    assert len(rows) == 2
    for _scope, key_hash in rows:
        assert "612345678" not in key_hash and "203.0.113" not in key_hash and len(key_hash) >= 32
    # another secret: other hashes, so other counts
    with session_scope(engine) as session:
        assert limits.peek(session, "another-secret-key-0123456789", HOUR, "+33612345678").count == 0


def test_clear_forgets_one_key_only(engine, clock):
    for _ in range(2):
        _hit(engine, key="a")
        clock.advance(minutes=10)  # two buckets
        _hit(engine, key="b")
    with session_scope(engine) as session:
        assert limits.clear(session, SECRET, HOUR, "a") == 2
        assert limits.clear(session, SECRET, HOUR, "nobody") == 0
    assert _peek(engine, key="a").count == 0
    assert _peek(engine, key="b").count == 2


def test_purge_removes_only_buckets_older_than_every_window(engine, clock):
    month = limits.Limit("test_month", 5, timedelta(days=30))
    _hit(engine, lim=month, key="old")
    clock.advance(days=20)
    _hit(engine, lim=month, key="recent")
    clock.advance(days=12)  # "old" is 32 days old, "recent" 12
    with session_scope(engine) as session:
        assert limits.count_rows(session) == 2
        assert limits.purge_expired(session) == 1
        assert limits.count_rows(session) == 1
        assert limits.purge_expired(session, keep=timedelta(days=1)) == 1
        assert limits.count_rows(session) == 0


# ---- the product's limits, from the settings ------------------------------------------------


def test_every_limit_is_built_from_the_settings(tmp_path):
    settings = load_settings(
        {
            "ASSISTANT_VAR_DIR": str(tmp_path),
            "ASSISTANT_SECRET_KEY": SECRET,
            "ASSISTANT_LIMIT_SMS_PER_HOUR": "2",
            "ASSISTANT_LIMIT_IDENTITY_MISMATCHES": "4",
            "ASSISTANT_LIMIT_IDENTITY_WINDOW_HOURS": "12",
            "ASSISTANT_LIMIT_CLIENT_WINDOW_MINUTES": "30",
        }
    ).limits
    built = {name: limits.limit(name, settings) for name in limits.LIMITS}
    assert all(lim.name == name for name, lim in built.items())
    assert (built["sms_global"].max_count, built["sms_global"].window) == (2, timedelta(hours=1))
    assert (built["identity_mismatch_member"].max_count, built["identity_mismatch_member"].window) == (
        4,
        timedelta(hours=12),
    )
    assert built["client_attempts"].window == timedelta(minutes=30)
    assert built["client_attempts"].bucket == timedelta(seconds=150)
    defaults = LimitSettings()
    assert limits.limit("tickets_client", defaults).max_count == 3
    assert limits.limit("tickets_conversation", defaults).max_count == 2
    assert limits.limit("sms_number", defaults).max_count == 5


def test_a_tiny_window_still_has_one_second_buckets():
    assert limits.Limit("x", 1, timedelta(seconds=5)).bucket == timedelta(seconds=1)


# ---- concurrency -----------------------------------------------------------------------------


@pytest.mark.parametrize("threads, max_count", [(12, 5), (8, 1)])
def test_concurrent_hits_never_admit_more_than_the_maximum(engine, threads, max_count):
    """Each thread in its own transaction on its own connection, all released at once."""
    lim = limits.Limit("test_race", max_count, timedelta(hours=1))
    barrier = threading.Barrier(threads)
    decisions, errors = [], []

    def worker():
        try:
            barrier.wait()
            decisions.append(_hit(engine, lim=lim, key="+33612345678"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert not errors, errors
    assert len(decisions) == threads
    assert sum(d.allowed for d in decisions) == max_count
    # every hit saw a distinct count: they were serialised, none lost
    assert sorted(d.count for d in decisions) == list(range(1, threads + 1))
    assert _peek(engine, lim=lim, key="+33612345678").count == threads
