"""One-time codes: sending, limits, expiry, attempts, races, and no code at rest.

Where a code goes (only to a contact on file) and which conversation may
check it are in ``test_act_possession.py``; the SMS gate in
``test_act_sms_gate.py``.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from helpers.members import EMAIL, MOBILE, add_member, last_code
from helpers.outbox import read_outbox
from helpers.ports import free_port
from sqlalchemy import select, text

from bot.activation import otp
from bot.store.db import session_scope
from bot.store.models import Challenge, SendLog

CONV = "conv-otp"


@pytest.fixture
def member(engine):
    """A member with a French mobile on file (and no e-mail)."""
    return add_member(engine, mobile=MOBILE)


def _ref(ctx, member):
    return ctx.member_ref(member.id)


def _start(ctx, ref, **kw):
    return otp.start_challenge(ctx, ref, conversation=kw.pop("conversation", CONV), **kw)


def _verify(ctx, ref, code, **kw):
    return otp.verify_code(ctx, ref, code, conversation=kw.pop("conversation", CONV), **kw)


def test_send_writes_the_french_sms_and_stores_no_code(ctx, member, outbox_path, engine):
    result = _start(ctx, _ref(ctx, member))
    assert result.outcome == otp.SENT and result.channel == "sms"
    assert result.destination_masked == "+33 ******* 78"
    assert result.lifetime_minutes == 10 and result.sends_left == 2
    [message] = read_outbox(outbox_path)
    assert set(message) == {"channel", "to", "subject", "body", "created_at", "kind"}
    assert message["channel"] == "sms" and message["to"] == MOBILE and message["subject"] is None
    assert message["kind"] == "activation_code"
    code = last_code(outbox_path, MOBILE)
    assert message["body"] == (
        f"Votre code d'activation Miel : {code}. Il est valable 10 minutes. Ne le communiquez à personne."
    )
    # the code is nowhere in the database, in any table
    with engine.connect() as conn:
        for table in ("challenges", "outbox", "audit_events", "send_log", "rate_counters"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                dumped = " ".join(str(v) for v in row)
                assert code not in dumped, table
                assert MOBILE not in dumped and MOBILE[1:] not in dumped, table  # the number neither


def test_right_code_once_then_consumed(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    code = last_code(outbox_path, MOBILE)
    assert _verify(ctx, ref, f" {code[:3]} {code[3:]} ").outcome == otp.OK
    assert _verify(ctx, ref, code).outcome == otp.CONSUMED
    assert _verify(ctx, ref, code).outcome == otp.CONSUMED  # and stays so


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_three_wrong_codes_kill_the_challenge(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    code = last_code(outbox_path, MOBILE)
    results = [_verify(ctx, ref, _wrong(code)) for _ in range(3)]
    assert [(r.outcome, r.attempts_left) for r in results] == [(otp.WRONG, 2), (otp.WRONG, 1), (otp.WRONG, 0)]
    assert _verify(ctx, ref, code).outcome == otp.EXHAUSTED


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "", "12 34 5"])
def test_malformed_code_is_not_an_attempt(ctx, member, outbox_path, typed):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    result = _verify(ctx, ref, typed)
    assert (result.outcome, result.attempts_left) == (otp.INVALID_FORMAT, 3)
    assert _verify(ctx, ref, last_code(outbox_path, MOBILE)).outcome == otp.OK


@pytest.mark.parametrize("elapsed, outcome", [(599, otp.OK), (600, otp.EXPIRED), (3600, otp.EXPIRED)])
def test_code_lifetime(ctx, member, outbox_path, clock, elapsed, outcome):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    clock.advance(seconds=elapsed)
    assert _verify(ctx, ref, last_code(outbox_path, MOBILE)).outcome == outcome


def test_new_send_replaces_the_old_code_of_the_same_conversation(ctx, member, outbox_path, clock):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    old = last_code(outbox_path, MOBILE)
    clock.advance(seconds=30)
    _start(ctx, ref)
    new = last_code(outbox_path, MOBILE)
    if old != new:
        assert _verify(ctx, ref, old).outcome == otp.WRONG
    assert _verify(ctx, ref, new).outcome == otp.OK
    with session_scope(ctx.engine) as session:
        first = session.execute(select(Challenge).order_by(Challenge.id)).scalars().first()
        assert first.expires_at <= clock.now  # invalidated by the resend


def test_three_sends_per_hour(ctx, member, clock):
    ref = _ref(ctx, member)
    first_at = clock.now
    for left in (2, 1, 0):
        assert _start(ctx, ref).sends_left == left
        clock.advance(minutes=10)
    limited = _start(ctx, ref)
    assert limited.outcome == otp.RATE_LIMITED
    assert limited.retry_at == first_at + otp.SEND_WINDOW
    # the hourly limit is per member: another conversation is refused too
    assert _start(ctx, ref, conversation="someone-else").outcome == otp.RATE_LIMITED
    clock.set(first_at + otp.SEND_WINDOW + timedelta(seconds=1))
    assert _start(ctx, ref).outcome == otp.SENT


def test_no_challenge_and_bad_refs(ctx, member):
    ref = _ref(ctx, member)
    assert _verify(ctx, ref, "123456").outcome == otp.NO_CHALLENGE
    assert _verify(ctx, ref + "0", "123456").outcome == otp.INVALID_REF
    assert _start(ctx, "m1.1.x.y").outcome == otp.INVALID_REF


@pytest.mark.parametrize("status, outcome", [("active", otp.ALREADY_ACTIVE), ("locked", otp.LOCKED)])
def test_no_code_for_active_or_locked(ctx, engine, outbox_path, status, outcome):
    m = add_member(engine, status=status, mobile=MOBILE, email=EMAIL)
    assert _start(ctx, ctx.member_ref(m.id)).outcome == outcome
    assert read_outbox(outbox_path) == []


def test_email_channel_uses_the_email_template(ctx, engine, outbox_path):
    m = add_member(engine, email=EMAIL)  # no mobile on file: the code goes by e-mail
    result = _start(ctx, ctx.member_ref(m.id), purpose="login")
    assert (result.outcome, result.channel, result.destination_masked) == (otp.SENT, "email", "m***t@example.org")
    [message] = read_outbox(outbox_path)
    assert message["channel"] == "email" and message["to"] == EMAIL
    assert message["subject"] == "Votre code de sécurité Miel" and message["kind"] == "login_code"
    assert "valable que 10 minutes" in message["body"]
    assert _verify(ctx, ctx.member_ref(m.id), last_code(outbox_path, EMAIL), purpose="login").outcome == otp.OK


def test_sms_provider_down_gives_send_failed_and_keeps_the_send(make_ctx, member, engine):
    port = free_port()  # nothing listens there
    ctx = make_ctx("miel", SMS_PROVIDER="http", SMS_HTTP_URL=f"http://127.0.0.1:{port}/sms")
    ref = ctx.member_ref(member.id)
    result = _start(ctx, ref)
    assert result.outcome == otp.SEND_FAILED
    assert result.delivery is not None and result.delivery.failed
    assert result.sends_left == 3
    with session_scope(engine) as session:
        assert session.execute(select(SendLog)).first() is None
    assert _verify(ctx, ref, "123456").outcome == otp.EXPIRED


# ---- races -----------------------------------------------------------------------------


def _run_threads(target, count):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_racing_wrong_guesses_never_exceed_the_limit(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    code = last_code(outbox_path, MOBILE)
    results = _run_threads(lambda i: _verify(ctx, ref, _wrong(code)), 10)
    outcomes = sorted(r.outcome for r in results)
    assert outcomes.count(otp.WRONG) == 3
    assert outcomes.count(otp.EXHAUSTED) == 7
    with session_scope(ctx.engine) as session:
        assert session.execute(select(Challenge.attempts_used)).scalar_one() == 3
    assert _verify(ctx, ref, code).outcome == otp.EXHAUSTED


def test_racing_right_code_succeeds_once(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    _start(ctx, ref)
    code = last_code(outbox_path, MOBILE)
    results = _run_threads(lambda i: _verify(ctx, ref, code), 6)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(otp.OK) == 1
    assert set(outcomes) <= {otp.OK, otp.CONSUMED, otp.EXHAUSTED}


def test_racing_sends_respect_the_hourly_limit(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    results = _run_threads(lambda i: _start(ctx, ref, conversation=f"conv-{i}"), 6)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(otp.SENT) == 3 and outcomes.count(otp.RATE_LIMITED) == 3
    assert len(read_outbox(outbox_path)) == 3
