"""The SMS gate (bot.activation.sms_gate): countries the tenant allows, a budget
per number, an hourly budget for the whole deployment with an ALERT for the
operators, and what start_challenge answers when the gate says no."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from helpers.members import EMAIL, add_member, sent_to
from helpers.outbox import read_outbox
from sqlalchemy import func, select

from bot.activation import otp, sms_gate
from bot.store.db import session_scope
from bot.store.models import Challenge, RateCounter, SendLog


@pytest.mark.parametrize(
    "number, country, allowed",
    [
        ("+33612345678", "FR", True),
        ("+262692123456", "RE", True),  # La Réunion
        ("+262639401234", "YT", True),  # Mayotte
        ("+590690123456", "GP", True),  # Guadeloupe
        ("+596696123456", "MQ", True),  # Martinique
        ("+594694123456", "GF", True),  # Guyane
        ("+508551234", "PM", True),
        ("+687751234", "NC", True),
        ("+68987123456", "PF", True),
        ("+32470123456", "BE", False),
        ("+212612345678", "MA", False),
        ("+447911123456", "GG", False),
        ("0612345678", None, False),  # not E.164: no country, never texted
        ("n'importe quoi", None, False),
    ],
)
def test_countries(ctx, number, country, allowed):
    assert sms_gate.sms_country(number) == country
    assert sms_gate.country_allowed(ctx.tenant, number) is allowed


def test_a_tenant_may_allow_other_countries(ctx):
    belgian = ctx.tenant.copy(update={"sms_countries": ["FR", "BE"]})
    assert sms_gate.country_allowed(belgian, "+32470123456")
    assert not sms_gate.country_allowed(belgian, "+262692123456")


def _admit(ctx, number, now=None):
    with ctx.session() as session:
        return sms_gate.admit_sms(session, ctx.settings, ctx.tenant, number, now)


def _counter_rows(ctx):
    with ctx.session() as session:
        return session.execute(select(RateCounter.scope, RateCounter.count)).all()


def test_a_refused_country_is_not_counted(ctx):
    assert _admit(ctx, "+32470123456") == (sms_gate.COUNTRY_REFUSED, None)
    assert _counter_rows(ctx) == []


def test_budget_per_number(make_ctx, clock):
    ctx = make_ctx("miel", ASSISTANT_LIMIT_SMS_PER_NUMBER="2", ASSISTANT_LIMIT_SMS_NUMBER_WINDOW_HOURS="24")
    start = clock.now
    assert [_admit(ctx, "+33612345678")[0] for _ in range(2)] == [sms_gate.ALLOWED] * 2
    outcome, retry_at = _admit(ctx, "+33612345678")
    assert outcome == sms_gate.NUMBER_LIMITED
    assert start + timedelta(hours=22) <= retry_at <= start + timedelta(hours=24)  # when its bucket leaves the window
    assert _admit(ctx, "+33612345679")[0] == sms_gate.ALLOWED  # another number
    # a refused SMS costs nothing: the global budget counted 3 SMS, the number 2
    assert sorted(_counter_rows(ctx)) == [("sms_global", 3), ("sms_number", 1), ("sms_number", 2)]
    clock.set(retry_at)
    assert _admit(ctx, "+33612345678")[0] == sms_gate.ALLOWED


def _alerts(caplog):
    return [r for r in caplog.records if r.name == "bot.sms_gate" and r.levelno == logging.CRITICAL]


def test_the_hourly_budget_stops_every_sms_and_alerts(make_ctx, engine, outbox_path, clock, caplog):
    ctx = make_ctx("miel", ASSISTANT_LIMIT_SMS_PER_HOUR="2")
    mobiles = ["+33611111111", "+262692123456", "+33633333333"]
    members = [add_member(engine, mobile=m, email=EMAIL) for m in mobiles]
    caplog.set_level(logging.WARNING)
    outcomes = [otp.start_challenge(ctx, ctx.member_ref(m.id), conversation=f"c-{i}") for i, m in enumerate(members)]
    assert [o.outcome for o in outcomes] == [otp.SENT, otp.SENT, otp.SMS_UNAVAILABLE]
    assert outcomes[2].retry_at is not None
    # nothing sent, nothing to check, no send counted against the member, no fallback to the e-mail
    assert sent_to(outbox_path, mobiles[2]) == [] and sent_to(outbox_path, EMAIL) == []
    with session_scope(engine) as session:
        assert (
            session.execute(
                select(func.count()).select_from(Challenge).where(Challenge.member_id == members[2].id)
            ).scalar_one()
            == 0
        )
        assert (
            session.execute(
                select(func.count()).select_from(SendLog).where(SendLog.member_id == members[2].id)
            ).scalar_one()
            == 0
        )
    [alert] = _alerts(caplog)
    message = alert.getMessage()
    assert message.startswith("ALERT") and "ASSISTANT_LIMIT_SMS_PER_HOUR=2" in message
    assert all(m not in message and m[1:] not in message for m in mobiles)
    # the next hour the budget is back
    clock.advance(hours=1, minutes=5)
    assert otp.start_challenge(ctx, ctx.member_ref(members[2].id), conversation="c-2").outcome == otp.SENT


def test_the_budget_also_counts_security_notices_and_skips_them_when_spent(make_ctx, engine, outbox_path, caplog):
    """A notice SMS passes the same gate; when refused the e-mail still goes."""
    from bot.activation import notices
    from bot.store.models import Member

    ctx = make_ctx("miel", ASSISTANT_LIMIT_SMS_PER_HOUR="1")
    first = add_member(engine, mobile="+33611111111")
    assert otp.start_challenge(ctx, ctx.member_ref(first.id), conversation="c").outcome == otp.SENT
    other = add_member(engine, mobile="+33622222222", email="autre@example.org")
    caplog.set_level(logging.WARNING)
    with ctx.session() as session:
        ids = notices.queue_notices(ctx, session, session.get(Member, other.id), notices.LOCKED)
    notices.deliver(ctx, ids)
    assert [m["channel"] for m in read_outbox(outbox_path) if m["kind"] == "notice_locked"] == ["email"]
    assert len(_alerts(caplog)) == 1


@pytest.mark.parametrize("shared", [True, False], ids=["same-number", "other-number"])
def test_the_per_number_budget_is_the_number_s_not_the_member_s(make_ctx, engine, clock, shared):
    """Two members sharing one mobile (a family) share its budget."""
    ctx = make_ctx("miel", ASSISTANT_LIMIT_SMS_PER_NUMBER="2")
    a = add_member(engine, mobile="+33612345678")
    b = add_member(engine, mobile="+33612345678" if shared else "+33687654321")
    for i in range(2):
        assert otp.start_challenge(ctx, ctx.member_ref(a.id), conversation=f"a-{i}").outcome == otp.SENT
        clock.advance(minutes=1)
    result = otp.start_challenge(ctx, ctx.member_ref(b.id), conversation="b")
    if shared:
        assert result.outcome == otp.NUMBER_LIMITED
        assert result.sends_left == 0 and result.retry_at > clock.now + timedelta(hours=20)
    else:
        assert result.outcome == otp.SENT
