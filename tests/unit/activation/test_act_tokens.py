"""Link tokens: only hashes stored, states, single use under concurrency."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.activation import tokens
from bot.store.db import session_scope
from bot.store.models import ActivationToken

SECRET = "activation-test-secret-key-0123456789"


def _issue(engine, member, **kw):
    with session_scope(engine) as session:
        return tokens.issue_token(
            session, SECRET, member.id, kw.pop("purpose", tokens.SET_PASSWORD), kw.pop("hours", 48), **kw
        )


def _lookup(engine, token):
    with session_scope(engine) as session:
        return tokens.lookup_token(session, SECRET, token)


def test_only_hashes_are_stored(engine, member):
    issued = _issue(engine, member, purpose=tokens.SMIE_CONFIRM, hours=24, email="a@example.org", with_code=True)
    assert len(issued.code) == 13 and issued.code.isdigit() and issued.code[0] != "0"
    with session_scope(engine) as session:
        row = session.execute(select(ActivationToken)).scalar_one()
        stored = " ".join(str(v) for v in (row.token_hash, row.code_hash, row.email))
    assert issued.token not in stored and issued.code not in stored


@pytest.mark.parametrize(
    "shift_hours, consume, state",
    [(0, False, tokens.VALID), (47.99, False, tokens.VALID), (48, False, tokens.EXPIRED), (0, True, tokens.USED)],
)
def test_states(engine, member, clock, shift_hours, consume, state):
    issued = _issue(engine, member)
    if consume:
        with session_scope(engine) as session:
            assert tokens.consume_token(session, issued.token_id)
    clock.advance(hours=shift_hours)
    assert _lookup(engine, issued.token).state == state


@pytest.mark.parametrize("token", ["", "abc", "x" * 43, "../../etc/passwd", "<script>", "a" * 500])
def test_unknown_and_forged(engine, member, token):
    _issue(engine, member)
    assert _lookup(engine, token).state == tokens.UNKNOWN


def test_expired_token_cannot_be_consumed(engine, member, clock):
    issued = _issue(engine, member, hours=1)
    clock.advance(hours=1, seconds=1)
    with session_scope(engine) as session:
        assert not tokens.consume_token(session, issued.token_id)


def test_invalidate_keeps_used_ones(engine, member, clock):
    used = _issue(engine, member)
    live = _issue(engine, member)
    with session_scope(engine) as session:
        tokens.consume_token(session, used.token_id)
        assert tokens.invalidate_tokens(session, member.id, tokens.SET_PASSWORD) == 1
    assert _lookup(engine, used.token).state == tokens.USED
    assert _lookup(engine, live.token).state == tokens.EXPIRED


def test_concurrent_consumption_has_one_winner(engine, member):
    issued = _issue(engine, member)
    barrier = threading.Barrier(8)
    wins, errors = [], []

    def worker():
        try:
            barrier.wait()
            with session_scope(engine) as session:
                wins.append(tokens.consume_token(session, issued.token_id))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and wins.count(True) == 1
