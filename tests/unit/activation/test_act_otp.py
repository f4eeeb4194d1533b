"""One-time codes: sending, limits, expiry, attempts, races, and no code at rest."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from activation_helpers import add_member, last_sms_code
from sqlalchemy import select, text
from support.outbox import read_outbox
from support.ports import free_port

from bot.activation import otp
from bot.store.db import session_scope
from bot.store.models import Challenge, SendLog

MOBILE = "+33612345678"


def _ref(ctx, member):
    return ctx.member_ref(member.id)


def test_send_writes_the_french_sms_and_stores_no_code(ctx, member, outbox_path, engine):
    result = otp.start_challenge(ctx, _ref(ctx, member), "sms", "+33 6 12 34 56 78")
    assert result.outcome == otp.SENT
    assert result.destination_masked == "+33 ******* 78"
    assert result.lifetime_minutes == 10 and result.sends_left == 2
    [message] = read_outbox(outbox_path)
    assert set(message) == {"channel", "to", "subject", "body", "created_at", "kind"}
    assert message["channel"] == "sms" and message["to"] == MOBILE and message["subject"] is None
    code = last_sms_code(outbox_path, MOBILE)
    assert message["body"] == (
        f"Votre code d'activation Miel : {code}. Il est valable 10 minutes. Ne le communiquez à personne."
    )
    # the code is nowhere in the database, in any table
    with engine.connect() as conn:
        for table in ("challenges", "outbox", "audit_events", "send_log"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                assert code not in " ".join(str(v) for v in row), table


def test_right_code_once_then_consumed(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    code = last_sms_code(outbox_path, MOBILE)
    assert otp.verify_code(ctx, ref, f" {code[:3]} {code[3:]} ").outcome == otp.OK
    assert otp.verify_code(ctx, ref, code).outcome == otp.CONSUMED


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_three_wrong_codes_kill_the_challenge(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    code = last_sms_code(outbox_path, MOBILE)
    results = [otp.verify_code(ctx, ref, _wrong(code)) for _ in range(3)]
    assert [(r.outcome, r.attempts_left) for r in results] == [(otp.WRONG, 2), (otp.WRONG, 1), (otp.WRONG, 0)]
    assert otp.verify_code(ctx, ref, code).outcome == otp.EXHAUSTED


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "", "12 34 5"])
def test_malformed_code_is_not_an_attempt(ctx, member, outbox_path, typed):
    ref = _ref(ctx, member)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    result = otp.verify_code(ctx, ref, typed)
    assert (result.outcome, result.attempts_left) == (otp.INVALID_FORMAT, 3)
    assert otp.verify_code(ctx, ref, last_sms_code(outbox_path, MOBILE)).outcome == otp.OK


@pytest.mark.parametrize("elapsed, outcome", [(599, otp.OK), (600, otp.EXPIRED), (3600, otp.EXPIRED)])
def test_code_lifetime(ctx, member, outbox_path, clock, elapsed, outcome):
    ref = _ref(ctx, member)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    clock.advance(seconds=elapsed)
    assert otp.verify_code(ctx, ref, last_sms_code(outbox_path, MOBILE)).outcome == outcome


def test_new_send_replaces_the_old_code(ctx, member, outbox_path, clock):
    ref = _ref(ctx, member)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    old = last_sms_code(outbox_path, MOBILE)
    clock.advance(seconds=30)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    new = last_sms_code(outbox_path, MOBILE)
    if old != new:
        assert otp.verify_code(ctx, ref, old).outcome == otp.WRONG
    assert otp.verify_code(ctx, ref, new).outcome == otp.OK
    with session_scope(ctx.engine) as session:
        first = session.execute(select(Challenge).order_by(Challenge.id)).scalars().first()
        assert first.expires_at <= clock.now  # invalidated by the resend


def test_three_sends_per_hour(ctx, member, clock):
    ref = _ref(ctx, member)
    first_at = clock.now
    for left in (2, 1, 0):
        assert otp.start_challenge(ctx, ref, "sms", MOBILE).sends_left == left
        clock.advance(minutes=10)
    limited = otp.start_challenge(ctx, ref, "sms", MOBILE)
    assert limited.outcome == otp.RATE_LIMITED
    assert limited.retry_at == first_at + otp.SEND_WINDOW
    clock.set(first_at + otp.SEND_WINDOW + timedelta(seconds=1))
    assert otp.start_challenge(ctx, ref, "sms", MOBILE).outcome == otp.SENT


def test_no_challenge_and_bad_refs(ctx, member):
    ref = _ref(ctx, member)
    assert otp.verify_code(ctx, ref, "123456").outcome == otp.NO_CHALLENGE
    assert otp.verify_code(ctx, ref + "0", "123456").outcome == otp.INVALID_REF
    assert otp.start_challenge(ctx, "m1.1.x.y", "sms", MOBILE).outcome == otp.INVALID_REF


@pytest.mark.parametrize("destination", ["0612345678", "+33", "06 12", "pas un numéro", ""])
def test_invalid_destination(ctx, member, destination):
    assert otp.start_challenge(ctx, _ref(ctx, member), "sms", destination).outcome == otp.INVALID_DESTINATION


@pytest.mark.parametrize("status, outcome", [("active", otp.ALREADY_ACTIVE), ("locked", otp.LOCKED)])
def test_no_code_for_active_or_locked(ctx, engine, status, outcome):
    m = add_member(engine, status=status)
    assert otp.start_challenge(ctx, ctx.member_ref(m.id), "sms", MOBILE).outcome == outcome


def test_email_channel_uses_the_email_template(ctx, member, outbox_path):
    result = otp.start_challenge(ctx, _ref(ctx, member), "email", "marie.dupont@example.org", purpose="login")
    assert result.outcome == otp.SENT
    [message] = read_outbox(outbox_path)
    assert message["channel"] == "email" and message["subject"] == "Votre code de sécurité Miel"
    assert "valable que 10 minutes" in message["body"]


def test_sms_provider_down_gives_send_failed_and_keeps_the_send(make_ctx, member, engine):
    port = free_port()  # nothing listens there
    ctx = make_ctx("miel", SMS_PROVIDER="http", SMS_HTTP_URL=f"http://127.0.0.1:{port}/sms")
    ref = ctx.member_ref(member.id)
    result = otp.start_challenge(ctx, ref, "sms", MOBILE)
    assert result.outcome == otp.SEND_FAILED
    assert result.delivery is not None and result.delivery.failed
    assert result.sends_left == 3
    with session_scope(engine) as session:
        assert session.execute(select(SendLog)).first() is None
    assert otp.verify_code(ctx, ref, "123456").outcome == otp.EXPIRED


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
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    code = last_sms_code(outbox_path, MOBILE)
    results = _run_threads(lambda i: otp.verify_code(ctx, ref, _wrong(code)), 10)
    outcomes = sorted(r.outcome for r in results)
    assert outcomes.count(otp.WRONG) == 3
    assert outcomes.count(otp.EXHAUSTED) == 7
    with session_scope(ctx.engine) as session:
        assert session.execute(select(Challenge.attempts_used)).scalar_one() == 3
    assert otp.verify_code(ctx, ref, code).outcome == otp.EXHAUSTED


def test_racing_right_code_succeeds_once(ctx, member, outbox_path):
    ref = _ref(ctx, member)
    otp.start_challenge(ctx, ref, "sms", MOBILE)
    code = last_sms_code(outbox_path, MOBILE)
    results = _run_threads(lambda i: otp.verify_code(ctx, ref, code), 6)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(otp.OK) == 1
    assert set(outcomes) <= {otp.OK, otp.CONSUMED, otp.EXHAUSTED}


def test_racing_sends_respect_the_hourly_limit(ctx, member):
    ref = _ref(ctx, member)
    results = _run_threads(lambda i: otp.start_challenge(ctx, ref, "sms", MOBILE), 6)
    outcomes = [r.outcome for r in results]
    assert outcomes.count(otp.SENT) == 3 and outcomes.count(otp.RATE_LIMITED) == 3
