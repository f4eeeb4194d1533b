"""Completing the Miel activation: the two e-mails, the link, and its guards."""

from __future__ import annotations

import re
import threading

import pytest
from activation_helpers import add_member, last_sms_code, link_token
from sqlalchemy import select
from support.outbox import read_outbox
from support.ports import free_port

from bot.activation import activation, identity_match, otp, tokens
from bot.store.db import session_scope
from bot.store.models import ActivationToken, AuditEvent, Member

MOBILE = "+33612345678"
EMAIL = "marie.dupont@example.org"


def _verified(ctx, member, outbox_path, mobile=MOBILE):
    result = identity_match.match_member(
        ctx,
        nir=member.nir,
        birth_date=member.birth_date,
        birth_department=member.birth_department,
        last_name=member.last_name,
        first_name=member.first_name,
    )
    ref = result.member_ref
    assert otp.start_challenge(ctx, ref, "sms", mobile).outcome == otp.SENT
    assert otp.verify_code(ctx, ref, last_sms_code(outbox_path, mobile)).outcome == otp.OK
    return ref


def test_happy_path_sends_the_two_emails_of_the_guide(ctx, member, outbox_path, engine, clock):
    ref = _verified(ctx, member, outbox_path)
    result = activation.complete_activation(ctx, ref, EMAIL, "+33 6 12 34 56 78", conversation="c-1")
    assert result.outcome == activation.COMPLETED
    assert result.all_delivered and len(result.deliveries) == 2
    assert result.email_masked == "m***t@example.org"
    assert (result.link_expires_at - clock.now).total_seconds() == 48 * 3600

    identifier, link = [m for m in read_outbox(outbox_path) if m["channel"] == "email"]
    assert identifier["to"] == EMAIL and link["to"] == EMAIL
    assert identifier["subject"] == "Votre identifiant Espace Affilié Miel"
    assert f"numéro d'adhérent : {member.adherent_number}" in identifier["body"]
    assert "http://127.0.0.1:5005/activation/" in link["body"]
    assert "valable 48 heures" in link["body"] and "une seule fois" in link["body"]
    assert "date de naissance" in link["body"]
    assert "digital.assistance-miel@malakoffhumanis.com" in identifier["body"]  # from the tenant profile
    assert member.nir not in identifier["body"] + link["body"]

    token = link_token(link["body"])
    with session_scope(engine) as session:
        row = session.get(Member, member.id)
        assert (row.status, row.email, row.mobile, row.version) == ("pending", EMAIL, MOBILE, 2)
        found = tokens.lookup_token(session, ctx.settings.secret_key, token)
        assert (found.state, found.purpose, found.member_id) == (tokens.VALID, tokens.SET_PASSWORD, member.id)
        assert session.execute(select(ActivationToken.token_hash)).scalar_one() != token
        events = [e.event for e in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()]
        assert events[-1] == "activation_completed"


def test_without_a_verified_code_nothing_happens(ctx, member, outbox_path, engine):
    ref = ctx.member_ref(member.id)
    assert activation.complete_activation(ctx, ref, EMAIL, MOBILE).outcome == activation.NOT_VERIFIED
    otp.start_challenge(ctx, ref, "sms", MOBILE)  # sent but not verified
    assert activation.complete_activation(ctx, ref, EMAIL, MOBILE).outcome == activation.NOT_VERIFIED
    assert [m["channel"] for m in read_outbox(outbox_path)] == ["sms"]
    with session_scope(engine) as session:
        assert session.get(Member, member.id).status == "inactive"


def test_the_mobile_must_be_the_verified_one(ctx, member, outbox_path):
    ref = _verified(ctx, member, outbox_path)
    assert activation.complete_activation(ctx, ref, EMAIL, "+33699999999").outcome == activation.NOT_VERIFIED
    assert activation.complete_activation(ctx, ref, EMAIL).outcome == activation.COMPLETED  # defaults to verified


def test_verified_code_is_good_for_30_minutes(ctx, member, outbox_path, clock):
    ref = _verified(ctx, member, outbox_path)
    clock.advance(minutes=31)
    assert activation.complete_activation(ctx, ref, EMAIL, MOBILE).outcome == activation.NOT_VERIFIED


def test_second_completion_with_the_same_code_is_refused(ctx, member, outbox_path):
    ref = _verified(ctx, member, outbox_path)
    assert activation.complete_activation(ctx, ref, EMAIL, MOBILE).outcome == activation.COMPLETED
    assert activation.complete_activation(ctx, ref, EMAIL, MOBILE).outcome == activation.ALREADY_COMPLETED
    assert len([m for m in read_outbox(outbox_path) if m["channel"] == "email"]) == 2


def test_starting_again_replaces_the_previous_link(ctx, member, outbox_path, clock, engine):
    ref = _verified(ctx, member, outbox_path)
    activation.complete_activation(ctx, ref, EMAIL, MOBILE)
    first = link_token(read_outbox(outbox_path)[-1]["body"])
    clock.advance(minutes=5)
    ref = _verified(ctx, member, outbox_path)
    assert activation.complete_activation(ctx, ref, "autre@example.org", MOBILE).outcome == activation.COMPLETED
    second = link_token(read_outbox(outbox_path)[-1]["body"])
    with session_scope(engine) as session:
        assert tokens.lookup_token(session, ctx.settings.secret_key, first).state == tokens.EXPIRED
        assert tokens.lookup_token(session, ctx.settings.secret_key, second).state == tokens.VALID
        assert session.get(Member, member.id).email == "autre@example.org"


@pytest.mark.parametrize("status, outcome", [("active", activation.ALREADY_ACTIVE), ("locked", activation.LOCKED)])
def test_status_guards(ctx, engine, status, outcome):
    m = add_member(engine, status=status)
    assert activation.complete_activation(ctx, ctx.member_ref(m.id), EMAIL, MOBILE).outcome == outcome


@pytest.mark.parametrize("email", ["", "marie", "marie@", "a b@example.org"])
def test_invalid_email(ctx, member, email):
    assert activation.complete_activation(ctx, ctx.member_ref(member.id), email, MOBILE).outcome == (
        activation.INVALID_EMAIL
    )


def test_forged_reference(ctx, member):
    assert activation.complete_activation(ctx, "m1.1.abc.0123456789abcdef", EMAIL).outcome == activation.INVALID_REF


def test_concurrent_completions_only_one_wins(ctx, member, outbox_path, engine):
    ref = _verified(ctx, member, outbox_path)
    barrier = threading.Barrier(6)
    outcomes, errors = [], []

    def worker():
        try:
            barrier.wait()
            outcomes.append(activation.complete_activation(ctx, ref, EMAIL, MOBILE).outcome)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert outcomes.count(activation.COMPLETED) == 1
    assert outcomes.count(activation.ALREADY_COMPLETED) == 5
    with session_scope(engine) as session:
        assert len(session.execute(select(ActivationToken)).all()) == 1
        assert session.get(Member, member.id).version == 2
    assert len([m for m in read_outbox(outbox_path) if m["channel"] == "email"]) == 2


def test_smtp_down_keeps_both_emails_for_retry(make_ctx, member, outbox_path, engine):
    ctx = make_ctx("miel", SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()), SMTP_STARTTLS="false")
    ref = _verified(ctx, member, outbox_path)
    result = activation.complete_activation(ctx, ref, EMAIL, MOBILE)
    assert result.outcome == activation.COMPLETED
    assert [d.state for d in result.deliveries] == ["queued", "queued"]
    assert not result.all_delivered
    assert re.fullmatch(r"ConnectionRefusedError: .*", result.deliveries[0].error)
