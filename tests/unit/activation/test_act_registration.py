"""SMIE-style registration: access check, CGU, confirmation e-mail, code in chat."""

from __future__ import annotations

import re

import pytest
from activation_helpers import add_member, link_token
from sqlalchemy import select
from support.outbox import read_outbox

from bot.activation import registration as reg
from bot.activation import tokens
from bot.store.db import session_scope
from bot.store.models import Consent, Member

EMAIL = "jean.martin@example.org"


def _registered(ctx, member):
    result = reg.check_access(ctx, member.adherent_number, member.access_code, EMAIL)
    assert result.outcome == reg.MATCHED
    assert reg.record_cgu_acceptance(ctx, result.member_ref) == reg.RECORDED
    return result.member_ref


def _confirmation(outbox_path):
    mails = [m for m in read_outbox(outbox_path) if m["kind"] == "registration_confirmation"]
    assert mails
    body = mails[-1]["body"]
    return mails[-1], link_token(body), re.search(r"code d'activation suivant : (\d{13})", body).group(1)


@pytest.mark.parametrize(
    "number, code, outcome",
    [
        ("{n}", "{c}", reg.MATCHED),
        (" {n} ", "  {c_lower} ", reg.MATCHED),
        ("{n}", "SMIE-0000", reg.NO_MATCH),
        ("A999999", "{c}", reg.NO_MATCH),
        ("", "", reg.NO_MATCH),
    ],
    ids=["exact", "spaces-and-case", "wrong-code", "unknown-number", "empty"],
)
def test_check_access(smie_ctx, member, number, code, outcome):
    number = number.format(n=member.adherent_number)
    code = code.format(c=member.access_code, c_lower=member.access_code.lower())
    result = reg.check_access(smie_ctx, number, code, EMAIL)
    assert result.outcome == outcome
    assert (result.member_ref is not None) == (outcome == reg.MATCHED)


@pytest.mark.parametrize("status, outcome", [("active", reg.ALREADY_ACTIVE), ("locked", reg.LOCKED)])
def test_check_access_status(smie_ctx, engine, status, outcome):
    m = add_member(engine, status=status)
    assert reg.check_access(smie_ctx, m.adherent_number, m.access_code).outcome == outcome


def test_guessing_across_conversations_is_throttled_per_member(smie_ctx, member, clock):
    for attempt in range(reg.MAX_ACCESS_FAILURES_PER_HOUR):
        assert reg.check_access(smie_ctx, member.adherent_number, f"X-{attempt}", conversation=f"c{attempt}").outcome == reg.NO_MATCH
    # even the right code is refused for the hour
    assert reg.check_access(smie_ctx, member.adherent_number, member.access_code).outcome == reg.LOCKED
    clock.advance(seconds=reg.ACCESS_FAILURE_WINDOW.total_seconds() + 1)
    assert reg.check_access(smie_ctx, member.adherent_number, member.access_code).outcome == reg.MATCHED


def test_member_without_access_code_never_matches(smie_ctx, engine):
    m = add_member(engine, access_code=None)
    assert reg.check_access(smie_ctx, m.adherent_number, "").outcome == reg.NO_MATCH


def test_confirmation_needs_the_cgu(smie_ctx, member, outbox_path, engine):
    ref = reg.check_access(smie_ctx, member.adherent_number, member.access_code).member_ref
    assert reg.send_confirmation(smie_ctx, ref, EMAIL).outcome == reg.CGU_REQUIRED
    assert read_outbox(outbox_path) == []
    reg.record_cgu_acceptance(smie_ctx, ref)
    with session_scope(engine) as session:
        consent = session.execute(select(Consent)).scalar_one()
        assert (consent.member_id, consent.cgu_version) == (member.id, "smie-espace-adherents")


def test_confirmation_email_of_the_guide(smie_ctx, member, outbox_path, engine, clock):
    ref = _registered(smie_ctx, member)
    result = reg.send_confirmation(smie_ctx, ref, EMAIL)
    assert result.outcome == reg.SENT and result.email_masked == "j***n@example.org"
    assert (result.expires_at - clock.now).total_seconds() == 24 * 3600
    mail, token, code = _confirmation(outbox_path)
    assert mail["to"] == EMAIL
    assert mail["subject"] == "Espace SMIE Mutuelle - Demande de confirmation d'inscription"
    assert "Je valide mon inscription : http://127.0.0.1:5005/activation/" in mail["body"]
    assert "sous 24 heures" in mail["body"]
    with session_scope(engine) as session:
        found = tokens.lookup_token(session, smie_ctx.settings.secret_key, token)
        assert (found.state, found.purpose, found.email) == (tokens.VALID, tokens.SMIE_CONFIRM, EMAIL)
        assert session.get(Member, member.id).status == "inactive"  # nothing confirmed yet
    assert len(code) == 13


def test_code_typed_in_chat_confirms_the_email(smie_ctx, member, outbox_path, engine):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, token, code = _confirmation(outbox_path)
    result = reg.confirm_with_code(smie_ctx, ref, f"{code[:4]} {code[4:]}")
    assert result.outcome == reg.CONFIRMED and result.expires_at is not None
    with session_scope(engine) as session:
        row = session.get(Member, member.id)
        assert (row.status, row.email) == ("pending", EMAIL)
        # the link still works to choose the password
        assert tokens.lookup_token(session, smie_ctx.settings.secret_key, token).state == tokens.VALID
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.CONFIRMED  # idempotent


def test_wrong_codes_are_limited(smie_ctx, member, outbox_path):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, _token, code = _confirmation(outbox_path)
    wrong = "1" * 13 if code != "1" * 13 else "2" * 13
    results = [reg.confirm_with_code(smie_ctx, ref, wrong) for _ in range(5)]
    assert [r.attempts_left for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].outcome == reg.TOO_MANY_ATTEMPTS
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.TOO_MANY_ATTEMPTS


def test_code_expires_with_the_link(smie_ctx, member, outbox_path, clock):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, _token, code = _confirmation(outbox_path)
    clock.advance(hours=24)
    assert reg.confirm_with_code(smie_ctx, ref, code).outcome == reg.EXPIRED


def test_new_email_replaces_the_old_link_and_code(smie_ctx, member, outbox_path, clock, engine):
    ref = _registered(smie_ctx, member)
    reg.send_confirmation(smie_ctx, ref, EMAIL)
    _mail, old_token, old_code = _confirmation(outbox_path)
    clock.advance(minutes=1)
    reg.send_confirmation(smie_ctx, ref, "autre@example.org")
    _mail, new_token, new_code = _confirmation(outbox_path)
    assert reg.confirm_with_code(smie_ctx, ref, old_code).outcome == reg.EXPIRED
    assert reg.confirm_with_code(smie_ctx, ref, new_code).outcome == reg.CONFIRMED
    with session_scope(engine) as session:
        assert tokens.lookup_token(session, smie_ctx.settings.secret_key, old_token).state == tokens.EXPIRED
        assert session.get(Member, member.id).email == "autre@example.org"


def test_no_token_and_bad_refs(smie_ctx, member):
    ref = smie_ctx.member_ref(member.id)
    assert reg.confirm_with_code(smie_ctx, ref, "1234567890123").outcome == reg.NO_TOKEN
    assert reg.confirm_with_code(smie_ctx, "m1.1.a.b", "1234567890123").outcome == reg.INVALID_REF
    assert reg.send_confirmation(smie_ctx, "nope", EMAIL).outcome == reg.INVALID_REF
    assert reg.record_cgu_acceptance(smie_ctx, "nope") == reg.INVALID_REF


def test_resends_are_limited_per_hour(smie_ctx, member, clock):
    ref = _registered(smie_ctx, member)
    for _ in range(3):
        assert reg.send_confirmation(smie_ctx, ref, EMAIL).outcome == reg.SENT
        clock.advance(minutes=1)
    limited = reg.send_confirmation(smie_ctx, ref, EMAIL)
    assert limited.outcome == reg.RATE_LIMITED and limited.retry_at is not None


def test_invalid_email(smie_ctx, member):
    ref = _registered(smie_ctx, member)
    assert reg.send_confirmation(smie_ctx, ref, "pas-une-adresse").outcome == reg.INVALID_EMAIL
